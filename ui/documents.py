"""An order's invoice and credit notes as its pages list them: each a link to its PDF,
signed for an hour (`backend.invoices.download_links`). The page calling
`document_links` has already decided that its viewer may see the order."""

from __future__ import annotations

import dataclasses
import uuid

import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink

from backend.core.money import format_money
from backend.invoices import queries as invoices
from backend.invoices.download_links import download_path


@dataclasses.dataclass(frozen=True)
class DocumentLink:
    title: str  # "Invoice INV-2026-00001"
    detail: str  # "06 Dec 2026 · $42.00"
    url: str


async def document_links(order_id: uuid.UUID) -> list[DocumentLink]:
    return [
        DocumentLink(
            title=document.title,
            detail=f"{document.issued_at:%d %b %Y} · "
            + format_money(document.total, document.currency),
            url=download_path(document.number),
        )
        for document in await invoices.documents_of_order(order_id)
    ]


def documents_list(links: rx.Var[list[DocumentLink]], *, waiting: rx.Var[bool]) -> rx.Component:
    """The links (PDF downloads), or, for a paid order whose invoice is still being
    written (`waiting`), a word that it comes in a moment."""
    return rx.cond(
        links.length() > 0,
        rx.vstack(
            rx.heading("Invoices", size="4", as_="h2"),
            rx.foreach(
                links,
                lambda link: rx.hstack(
                    rx.icon("file-text", size=16, aria_hidden="true"),
                    # A document navigation: the browser downloads the PDF (a client-side
                    # one would look the path up among the app's pages, and find none).
                    ReactRouterLink.create(
                        link.title + " (PDF)",
                        to=link.url,
                        reload_document=True,
                        download="",
                        color=rx.color("accent", 11),
                        text_decoration="underline",
                    ),
                    rx.text(link.detail, size="2", color_scheme="gray"),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
            ),
            spacing="1",
        ),
        rx.cond(
            waiting,
            rx.text(
                "Your invoice is being written: reload the page in a moment to download it.",
                size="2",
                color_scheme="gray",
            ),
        ),
    )
