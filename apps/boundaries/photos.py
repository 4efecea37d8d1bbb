"""Photos of 界桩 (the registered record) and of inspections: JPEG or PNG, recognised by their
first bytes (not the file name), at most `MAX_BYTES`, stored in the default storage under
`boundaries/<marker number>/` with a random name; records keep the storage path."""
from __future__ import annotations

import secrets

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from rest_framework import exceptions, status

MAX_BYTES = 10 * 1024 * 1024
_SIGNATURES = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}


class PhotoTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = f"照片不能超过 {MAX_BYTES // (1024 * 1024)} MB"
    default_code = "too_large"


def _extension(upload: UploadedFile) -> str:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for signature, ext in _SIGNATURES.items():
        if head.startswith(signature):
            return ext
    raise exceptions.ValidationError({"photo": [f"“{upload.name}”不是 JPEG 或 PNG 图片"]})


def check_photo(upload: UploadedFile) -> str:
    """The extension to store under; 413 when too large, 400 when not a JPEG/PNG."""
    if upload.size > MAX_BYTES:
        raise PhotoTooLarge()
    return _extension(upload)


def store_photo(upload: UploadedFile, marker_number: str) -> str:
    ext = check_photo(upload)
    return default_storage.save(f"boundaries/{marker_number}/{secrets.token_hex(8)}.{ext}", upload)


def discard(paths: list[str]) -> None:
    """Remove photos stored for a write that was then refused."""
    for path in paths:
        default_storage.delete(path)
