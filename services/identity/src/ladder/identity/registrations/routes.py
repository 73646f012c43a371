"""Routes of registrations (issue 15; being written)."""

from fastapi import APIRouter

router = APIRouter(tags=["registrations"])
