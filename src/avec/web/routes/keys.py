"""One short page per key of the HAS guide (``/cles/<key>``), that findings and warnings link to.

Each page says what the key asks, what AVEC does for it, and what the professional does.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from avec.web.routes.pages import _render as render_page

router = APIRouter()


@dataclass(frozen=True, slots=True)
class GuideKey:
    """A key of the guide, as its page shows it (French)."""

    slug: str
    letter: str
    name: str
    summary: str
    asks: tuple[str, ...]
    avec_does: tuple[str, ...]
    to_do: tuple[str, ...]
    links: tuple[tuple[str, str], ...]


KEYS: tuple[GuideKey, ...] = (
    GuideKey(
        "apprendre",
        "A",
        "Apprendre",
        "Se former et connaître l'outil avant de s'en servir : ce qu'il sait faire, ses limites, où vont les "
        "données, ce que votre organisation autorise.",
        (
            "Connaître le fonctionnement d'une IA générative : elle produit un texte plausible, pas une "
            "vérité.",
            "Savoir à quoi l'outil est destiné et s'il est un dispositif médical (une IA généraliste ne "
            "l'est pas).",
            "Connaître les conditions d'usage des données : hébergement, pays, conservation, entraînement.",
            "Formuler des demandes explicites : contexte, objectif, sources, format, destinataire.",
        ),
        (
            "Le catalogue décrit chaque système : usages prévus et exclus, conformité, données autorisées.",
            "Le questionnaire de besoin classe les systèmes du catalogue et donne ses raisons.",
            "Pendant la rédaction, AVEC signale ce qui manque à votre demande (contexte, objectif…).",
        ),
        (
            "Choisissez un système prévu pour votre tâche par votre organisation.",
            "Vérifiez les fiches marquées « à vérifier » auprès de votre DPO avant de décider.",
            "N'utilisez pas une IA générative pour poser un diagnostic ou choisir un traitement.",
        ),
        (("/catalogue", "Catalogue et questionnaire de besoin"), ("/", "Nouvelle demande")),
    ),
    GuideKey(
        "verifier",
        "V",
        "Vérifier",
        "Toute réponse d'une IA est une proposition à contrôler : valeurs, unités, doses, noms de "
        "médicaments, "
        "références. Le professionnel reste responsable de ce qu'il utilise.",
        (
            "Relire chaque réponse en entier avant tout usage, en la confrontant aux sources.",
            "Contrôler les chiffres, unités, doses et fréquences, les noms de médicaments et les références.",
            "Protéger les données du patient : ne rien envoyer qui permette de le reconnaître.",
        ),
        (
            "AVEC remplace les identifiants par des valeurs fictives avant l'envoi, et les restitue dans la "
            "réponse.",
            "AVEC repère les doses inhabituelles, les unités douteuses, les médicaments inconnus, les "
            "chiffres "
            "absents du document source et les références à contrôler.",
            "Chaque point relevé est surligné dans la réponse et expliqué.",
        ),
        (
            "Pour chaque point relevé : vérifiez dans le document source ou une référence fiable, puis "
            "corrigez.",
            "Un point non relevé n'est pas une garantie : la vérification automatique ne couvre pas tout.",
            "Une réponse fausse ou dangereuse ? Signalez-la dans le registre des erreurs.",
        ),
        (("/tableau-de-bord#signaler", "Signaler une erreur de l'IA"), ("/historique", "Historique")),
    ),
    GuideKey(
        "estimer",
        "E",
        "Estimer",
        "Mesurer ce que l'IA apporte et ce qu'elle coûte : corrections nécessaires, temps, facilité, part "
        "de la "
        "pratique sans IA, erreurs, impact environnemental.",
        (
            "Suivre son usage dans le temps et se fixer des objectifs.",
            "Garder une pratique sans IA pour entretenir ses compétences.",
            "Tenir compte de l'impact environnemental des requêtes.",
            "Partager les erreurs et les leçons avec l'équipe.",
        ),
        (
            "Le journal garde des comptes et des durées, jamais de texte ni de nom.",
            "Le tableau de bord montre usages, corrections, facilité, temps, pratique sans IA, points "
            "relevés, "
            "identifiants remplacés et empreinte environnementale.",
            "Le rapport d'équipe (HTML, PDF, CSV) reprend ces chiffres, les objectifs, le registre des "
            "erreurs "
            "et les leçons.",
        ),
        (
            "Fixez un ou deux objectifs réalistes et regardez leur progression chaque mois.",
            "Enregistrez aussi les tâches faites sans IA.",
            "Signalez chaque erreur de l'IA, même sans conséquence : c'est ainsi que l'équipe apprend.",
        ),
        (("/tableau-de-bord", "Tableau de bord"), ("/tableau-de-bord#objectifs", "Objectifs")),
    ),
    GuideKey(
        "communiquer",
        "C",
        "Communiquer",
        "Parler avec le patient et l'équipe : un texte pour le patient doit être compris par lui, et il doit "
        "savoir qu'une IA a aidé et que vous avez vérifié le résultat.",
        (
            "Adapter le texte au patient : mots courants, phrases courtes, sigles expliqués.",
            "Informer le patient de l'usage d'une IA, de ce qui a été transmis et de votre vérification.",
            "Partager avec l'équipe les usages, les erreurs et les bonnes pratiques.",
        ),
        (
            "La version patient calcule des indices de lisibilité valables pour le français.",
            "Elle propose des mots courants pour le vocabulaire médical, à partir d'un glossaire sourcé.",
            "Elle signale les phrases trop longues et les sigles non expliqués.",
            "Elle produit une notice d'information, seulement après votre relecture.",
        ),
        (
            "Remplacez les mots difficiles, coupez les phrases longues, expliquez chaque sigle la première "
            "fois.",
            "Relisez le texte en vous mettant à la place du patient, puis remettez-lui la notice.",
            "Invitez le patient à poser ses questions.",
        ),
        (("/version-patient", "Version patient"), ("/tableau-de-bord#partager", "Partager une leçon")),
    ),
)
_BY_SLUG = {k.slug: k for k in KEYS}


@router.get("/cles", response_class=HTMLResponse)
def keys_index(request: Request) -> HTMLResponse:
    """The four keys, each with its summary."""
    return render_page(request, "cles.html", {"step": 0, "nav": "cles", "keys": KEYS, "key": None})


@router.get("/cles/{slug}", response_class=HTMLResponse)
def key_page(request: Request, slug: str) -> HTMLResponse:
    """The page of one key."""
    key = _BY_SLUG.get(slug)
    if key is None:
        context = {"step": 0, "nav": "cles", "keys": KEYS, "key": None, "error": "Cette clé n'existe pas."}
        return render_page(request, "cles.html", context, status_code=404)
    return render_page(request, "cles.html", {"step": 0, "nav": "cles", "keys": KEYS, "key": key})
