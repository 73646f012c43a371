"""Routes of accounts (issue 15; being written)."""

from fastapi import APIRouter

router = APIRouter(tags=["accounts"])
