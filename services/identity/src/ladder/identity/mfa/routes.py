"""Routes of mfa (issue 15; being written)."""

from fastapi import APIRouter

router = APIRouter(tags=["mfa"])
