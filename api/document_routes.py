"""`/documents/<number>.pdf?token=…`: an invoice or credit note as PDF, for whoever holds
the signed link its order page made (`backend.invoices.download_links`). A wrong, expired
or altered link is a 404 that says nothing about which documents exist."""

from __future__ import annotations

from anyio import to_thread
from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response

from backend.core.errors import NotFoundError
from backend.invoices import pdf
from backend.invoices.download_links import BadDownloadLinkError, verified_number
from backend.invoices.queries import get_document

router = APIRouter(tags=["documents"])

PRIVATE = "private, no-store"  # personal data: never kept by shared caches


def _not_found() -> Response:
    return PlainTextResponse(
        "This link does not work (it may have expired): open the order page again.",
        status_code=404,
        headers={"Cache-Control": PRIVATE},
    )


@router.get("/documents/{number}.pdf", include_in_schema=False)
async def download_document(number: str, token: str = "") -> Response:
    try:
        verified_number(number[:30], token)
        document = await get_document(number[:30])
    except (BadDownloadLinkError, NotFoundError):
        return _not_found()
    body = await to_thread.run_sync(pdf.render, document)
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Cache-Control": PRIVATE,
            "Content-Disposition": f'attachment; filename="{document.number}.pdf"',
        },
    )
