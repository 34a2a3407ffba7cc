"""kabar: a news-ingestion pipeline and analytical warehouse for Indonesian-language news."""

__version__ = "0.1.0"
