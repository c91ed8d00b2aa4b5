"""HTTP routes of the companion: server-rendered pages and the JSON analysis endpoint."""
