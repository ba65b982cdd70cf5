"""P03 Map domain package: boundaries, sites, uploads, maps. Never imports streamlit."""

__version__ = "0.1.0"
