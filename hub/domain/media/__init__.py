"""Media files: streamed uploads, content-addressed storage (local or S3-compatible), type
sniffing, metadata extraction by the media-type plugins, attaching files to records."""
