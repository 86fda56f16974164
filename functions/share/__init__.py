"""Shared services of a CCF (manual §6 "Compartir servicios web con la Entidad"; decision 0050)."""
