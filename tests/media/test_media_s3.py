"""The media tests that touch storage, again on S3-compatible object storage: moto's server
mode on a loopback port, started by this module (``HUB_STORAGE_URL=s3://bucket/prefix``).

Each test gets its own key prefix in one bucket, so "nothing left behind" is exact per test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from hub.core.config import Settings
from tests.hubprocess import free_port

# The same tests, collected again here with this module's `settings` (S3 storage).
from tests.media.test_media import (  # noqa: F401
    test_a_drafts_files_only_for_its_author_through_signed_urls,
    test_a_file_over_the_media_types_limit_is_refused,
    test_a_filename_with_path_separators_is_refused,
    test_a_text_file_fills_an_empty_story_and_is_counted,
    test_a_truncated_upload_leaves_nothing_behind,
    test_an_executable_claiming_to_be_audio_is_refused,
    test_an_image_at_create_record_gets_dimensions_and_a_thumbnail,
    test_an_image_bomb_is_refused_before_decoding,
    test_download_with_range_etag_and_cache_headers,
    test_the_same_blob_is_stored_once_and_kept_while_used,
    test_uploading_to_someone_elses_record_is_forbidden,
)

BUCKET = "recordhub-media"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    saved = {name: os.environ.get(name) for name in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        import boto3

        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(
            Bucket=BUCKET)
        yield endpoint
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def settings(tmp_path: Path, s3_endpoint: str) -> Settings:
    url = f"s3://{BUCKET}/{tmp_path.name}?endpoint_url={s3_endpoint}&region=us-east-1"
    return replace(Settings(), data_dir=tmp_path, pool_min_size=1, pool_max_size=5,
                   storage_url=Settings.from_env({"HUB_STORAGE_URL": url}).storage_url)


async def test_blobs_are_objects_in_the_bucket(settings: Settings) -> None:
    from hub.domain.media.storage import S3Storage, get_storage

    storage = get_storage(settings)
    assert isinstance(storage, S3Storage)
    assert (storage.bucket, storage.prefix) == (BUCKET, settings.data_dir.name)
    sha = "ab" * 32
    await storage.put_bytes(sha, b"hello, bucket", "text/plain")
    assert await storage.exists(sha)
    assert b"".join([chunk async for chunk in storage.read(sha, 7, 13)]) == b"bucket"
    await storage.delete(sha)
    assert not await storage.exists(sha)
    assert not (settings.data_dir / "blobs").exists()  # nothing written locally
