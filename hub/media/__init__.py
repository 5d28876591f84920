"""Media files: streamed uploads, content-addressed storage, metadata extraction, delivery.

Modules: ``api`` (what plugins see: :class:`AcceptedMedia`, :class:`ExtractedMedia`,
:class:`MediaError`, re-exported from ``hub``), ``upload`` (the GraphQL multipart request
parser), ``sniff`` (type from the bytes), ``storage`` (local and S3-compatible blob stores),
``store`` (SQL), ``service`` (checks, extraction, attaching, releasing), ``types`` and
``mutations`` (GraphQL), ``routes`` (downloads and signed URLs).
"""
