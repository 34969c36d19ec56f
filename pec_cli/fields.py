"""The fields an entry may carry beyond its activity, tipo and date.

The plan's tipos name them in ``requiere``; ``pec log`` takes each as an
option and ``pec import`` as a column. Standard library only, imports nothing.
"""

ENTRY_FIELDS = ("titulo", "canal", "url", "evidencia", "area", "red", "valor", "nota", "atiende")
