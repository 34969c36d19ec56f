"""pec: the tracker of a Plan Estratégico de Comunicaciones."""

__version__ = "0.1.0"
