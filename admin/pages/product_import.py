"""Admin CSV import and export of products. Import is two steps: upload a file and see
what it would create, update and reject (with the reason per row), then confirm and
watch the progress bar. Administrators only; `backend.product_import` checks again."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminState
from backend import product_import as product_csv
from backend.accounts.permissions import Permission
from backend.core.errors import DomainError
from backend.product_import import CSV_COLUMNS, MAX_FILE_BYTES, MAX_FILE_MB, ImportPreview
from ui.access import SessionState
from ui.file_drop import file_drop_zone
from ui.forms import form_alert, success_note
from ui.tables import data_table

UPLOAD_ID = "products_csv"


@dataclasses.dataclass(frozen=True)
class RejectedLine:
    row: int
    sku: str
    reason: str


@dataclasses.dataclass(frozen=True)
class PlannedLine:
    row: int
    sku: str
    name: str
    action: str
    changes: str


class ProductImportState(AdminState):
    permission: ClassVar[Permission] = Permission.CATALOG

    step: str = "upload"  # upload → preview → applying → done
    file_name: str = ""
    file_rows: int = 0
    create_count: int = 0
    update_count: int = 0
    unchanged_count: int = 0
    rejected_count: int = 0
    rejected: list[RejectedLine] = []
    sample: list[PlannedLine] = []
    progress_done: int = 0
    progress_total: int = 0
    result: str = ""
    failed: list[RejectedLine] = []
    message: str = ""

    _token: str = ""  # server-side only: which stored preview "Confirm" applies

    @rx.event
    def load(self) -> None:
        self.reset()

    def _show(self, preview: ImportPreview) -> None:
        self._token = preview.token or ""
        self.file_rows, self.create_count = preview.file_rows, preview.create_count
        self.update_count, self.unchanged_count = preview.update_count, preview.unchanged_count
        self.rejected_count = preview.rejected_count
        self.rejected = [RejectedLine(r.row, r.sku, r.reason) for r in preview.rejected]
        self.sample = [
            PlannedLine(p.row, p.sku, p.name, p.action, "; ".join(p.changes))
            for p in preview.sample
        ]
        self.step = "preview"

    @rx.event
    async def preview(self, files: list[rx.UploadFile]) -> None:
        self.message, self.result, self.failed = "", "", []
        if len(files) != 1:
            self.message = "Choose one CSV file."
            return
        upload = files[0]
        data = await upload.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            self.message = f"The file is larger than {MAX_FILE_MB} MB: split it into smaller files."
            return
        try:
            preview = await product_csv.preview_import(self.staff_viewer, data)
        except DomainError as error:
            fields = getattr(error, "field_errors", {}) or {}
            self.message = fields.get("file") or error.message
            return
        self.file_name = (upload.filename or "products.csv")[:120]
        self._show(preview)

    @rx.event
    def start_over(self) -> None:
        self.reset()

    @rx.event
    async def confirm(self) -> rx.event.EventSpec | None:
        if self.step != "preview" or not self._token:
            self.message = "Upload a file first."
            return None
        self.step, self.progress_done = "applying", 0
        self.progress_total = self.create_count + self.update_count
        return ProductImportState.apply  # type: ignore[return-value]

    @rx.event(background=True)
    async def apply(self) -> None:
        """Runs outside the event queue so the progress bar moves while rows are written."""
        async with self:
            session = await self.get_state(SessionState)
            await session._refresh_viewer(force=True)
            actor, token = session.viewer, self._token
            self._token = ""
            if self.step != "applying" or not token:
                return

        async def report(done: int, total: int) -> None:
            async with self:
                self.progress_done, self.progress_total = done, total

        try:
            outcome = await product_csv.apply_import(actor, token, on_progress=report)  # type: ignore[arg-type]
        except DomainError as error:
            async with self:
                self.step, self.message = "preview", error.message
            return
        async with self:
            self.failed = [RejectedLine(r.row, r.sku, r.reason) for r in outcome.failed]
            self.result = (
                f"{outcome.created} created, {outcome.updated} updated, "
                f"{outcome.unchanged} unchanged, {outcome.rejected + len(outcome.failed)} rejected."
            )
            self.step = "done"


# --- the page -------------------------------------------------------------------------------


def _count(label: str, value: rx.Var[int], colour: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.text(value, size="6", weight="bold", color_scheme=colour),  # type: ignore[arg-type]
            spacing="1",
        ),
        role="group",
        aria_label=label,
        min_width="140px",
    )


def _rejected_table(rows: rx.Var[list[RejectedLine]]) -> rx.Component:
    return data_table(
        (("Row", "right"), "SKU", "Reason"),
        rows,
        lambda line: rx.table.row(
            rx.table.cell(line.row, text_align="right"),
            rx.table.cell(rx.code(line.sku, variant="ghost")),
            rx.table.cell(line.reason),
        ),
    )


def _export_card() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.heading("Export", size="3", as_="h2"),
                rx.text(
                    "Every product, active and hidden, by SKU. Edit it in a spreadsheet and "
                    "import it again.",
                    size="2",
                    color_scheme="gray",
                ),
                spacing="1",
            ),
            rx.spacer(),
            rx.link(
                rx.button(rx.icon("download", size=16), "Download CSV", variant="soft"),
                href="/admin/download/products.csv",
                is_external=True,
            ),
            align="center",
            width="100%",
        ),
        width="100%",
    )


def _upload_step() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Import", size="3", as_="h2"),
            rx.text(
                "Columns: ",
                rx.code(", ".join(CSV_COLUMNS)),
                ". sku, name, price and category (its address) are required; a product whose "
                "SKU exists is updated. Nothing changes until you confirm.",
                size="2",
                color_scheme="gray",
            ),
            file_drop_zone(
                UPLOAD_ID,
                label="CSV file to import",
                hint="Drop a CSV file here or click to choose",
                icon="file-spreadsheet",
                multiple=False,
                accept={"text/csv": [".csv"]},
                max_files=1,
                padding="20px",
            ),
            rx.button(
                rx.icon("eye", size=16),
                "Preview import",
                on_click=ProductImportState.preview(rx.upload_files(upload_id=UPLOAD_ID)),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _preview_step() -> rx.Component:
    state = ProductImportState
    return rx.vstack(
        rx.heading("Preview of ", state.file_name, size="4", as_="h2"),
        rx.flex(
            _count("To create", state.create_count, "grass"),
            _count("To update", state.update_count, "blue"),
            _count("Unchanged", state.unchanged_count, "gray"),
            _count("Rejected", state.rejected_count, "tomato"),
            wrap="wrap",
            gap="12px",
        ),
        rx.hstack(
            rx.button(
                "Confirm import",
                on_click=state.confirm,
                disabled=(state.create_count + state.update_count) == 0,
            ),
            rx.button(
                "Choose another file",
                variant="soft",
                color_scheme="gray",
                on_click=state.start_over,
            ),
            spacing="3",
        ),
        rx.cond(
            state.rejected_count > 0,
            rx.vstack(
                rx.heading("Rejected rows", size="3", as_="h3"),
                rx.text(
                    "These rows are skipped; the others are imported.",
                    size="2",
                    color_scheme="gray",
                ),
                _rejected_table(state.rejected),
                width="100%",
            ),
        ),
        rx.cond(
            state.sample.length() > 0,
            rx.vstack(
                rx.heading("First rows to import", size="3", as_="h3"),
                data_table(
                    (("Row", "right"), "SKU", "Name", "Action", "Changes"),
                    state.sample,
                    lambda line: rx.table.row(
                        rx.table.cell(line.row, text_align="right"),
                        rx.table.cell(rx.code(line.sku, variant="ghost")),
                        rx.table.cell(line.name),
                        rx.table.cell(rx.badge(line.action)),
                        rx.table.cell(line.changes),
                    ),
                ),
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )


def _progress_step() -> rx.Component:
    state = ProductImportState
    return rx.card(
        rx.vstack(
            rx.text("Importing… ", state.progress_done, " of ", state.progress_total, " rows"),
            rx.progress(
                value=rx.cond(
                    state.progress_total > 0, state.progress_done * 100 / state.progress_total, 0
                ),
                max=100,
                width="100%",
                aria_label="Import progress",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _done_step() -> rx.Component:
    state = ProductImportState
    return rx.vstack(
        success_note("Import finished: " + state.result),
        rx.cond(
            state.failed.length() > 0,
            rx.vstack(
                rx.heading("Rows refused while importing", size="3", as_="h3"),
                _rejected_table(state.failed),
                width="100%",
            ),
        ),
        rx.hstack(
            rx.link("Back to products", href="/admin/products"),
            rx.button("Import another file", variant="soft", on_click=state.start_over),
            spacing="4",
            align="center",
        ),
        spacing="3",
        width="100%",
    )


def product_import_page() -> rx.Component:
    state = ProductImportState
    return admin_page(
        "Import and export products",
        rx.vstack(
            form_alert(state.message),
            _export_card(),
            rx.match(
                state.step,
                ("preview", _preview_step()),
                ("applying", _progress_step()),
                ("done", _done_step()),
                _upload_step(),
            ),
            spacing="4",
            width="100%",
        ),
        permission=Permission.CATALOG,
    )
