"""Routes of clients (issue 15; being written)."""

from fastapi import APIRouter

router = APIRouter(tags=["clients"])
