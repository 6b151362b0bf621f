"""Checkout: details (contact, address, shipping, discount) → review and pay → the order.

The handlers only parse what the browser sent and call one service each: the preview
prices the cart now; paying calls the checkout use case (`backend/checkout`), which
places the order (re-priced, stock reserved, within the unpaid-order limits) and pays it
through the configured gateway, as the REST API does. The checkout key (one per review)
makes a double click or a retry find the same order; the attempt key (one per payment
try) makes a repeated submission charge once. The checkout key and the order it placed
belong to the viewer who reviewed: anyone else on the tab starts a checkout of their own.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import uuid
from collections.abc import AsyncIterator

import reflex as rx

from backend.accounts import addresses
from backend.accounts.schemas import SavedAddress
from backend.cart import queries as cart_queries
from backend.cart.schemas import Cart
from backend.cart_recovery import contacts as cart_contacts
from backend.checkout import cancellation
from backend.checkout import services as checkout
from backend.core.errors import DomainError
from backend.core.money import format_money
from backend.core.regions import country_name
from backend.core.validation import parse_input
from backend.funnel import counts as funnel
from backend.funnel.counts import FunnelStep
from backend.orders import queries as order_queries
from backend.orders.inputs import CheckoutDetails
from backend.payments.gateway import offered_test_cards
from backend.pricing.totals import tax_rows
from backend.settings import get_settings
from backend.shipping import quotes as shipping_quotes
from backend.shipping.rules import ShippingOption
from storefront.state import HeaderState
from ui.access import PublicState
from ui.errors import form_feedback
from ui.promotion_text import line_promotions, multibuy_row_label

STRIPE_PAYMENT_METHOD = re.compile(r"^pm_[A-Za-z0-9_]{1,200}$")
FIELDS = (
    "email",
    "full_name",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
    "shipping_method",
    "discount_code",
    "gift_card_code",
)


@dataclasses.dataclass(frozen=True)
class ReviewLine:
    name: str
    quantity: str
    line_total: str
    promotion: str = ""  # the automatic promotion it is sold under, "" without one


@dataclasses.dataclass(frozen=True)
class AddressChoice:
    id: str
    label: str


def order_url(number: str) -> str:
    return f"/orders/{number}"


class CheckoutState(PublicState):
    step: str = "details"  # details | review
    form: dict[str, str] = {}
    form_version: int = 0  # a new value remounts the form with `form` as its defaults
    saved_addresses: list[AddressChoice] = []
    errors: dict[str, str] = {}
    message: str = ""
    lines: list[ReviewLine] = []
    totals: list[tuple[str, str]] = []
    total: str = ""
    amount_due: str = ""  # the total less what the gift card pays: the card's part
    gift_card_rows: list[tuple[str, str]] = []  # the card's part and what is left, after the total
    paid_by_gift_card: bool = False  # the gift card covers it all: no card payment
    address_lines: list[str] = []
    countries: list[tuple[str, str]] = []  # (code, name), the countries shipped to
    shipping_choices: list[tuple[str, str]] = []  # (code, "Standard · 3–5 days · <price>")
    test_cards: list[tuple[str, str]] = []
    paying: bool = False
    empty: bool = False
    stripe_enabled: bool = False
    cart_reminders: bool = False  # a guest ticked "E-mail me about this cart"

    _typed_email: str = ""
    _details: dict[str, str] = {}
    _checkout_key: str = ""
    _order_id: str = ""
    _checkout_viewer: str = ""  # the tab's viewer key when the details were reviewed

    def _own_checkout(self) -> bool:
        """Whether the details, key and order here are the current viewer's. The access
        guard resets the whole tab when its viewer changes; this makes sure of it: any
        other viewer's leftovers are dropped, never used."""
        if self._checkout_viewer == self._viewer_key:
            return True
        self._details, self._checkout_key, self._order_id = {}, "", ""
        self._checkout_viewer, self.step, self.address_lines = "", "details", []
        return False

    def _ready_to_pay(self) -> bool:
        return self._own_checkout() and bool(self._checkout_key)

    @rx.event
    async def load(self) -> rx.event.EventSpec | None:
        self._own_checkout()
        self.errors, self.message, self.step, self.paying = {}, "", "details", False
        self.countries = [
            (code, country_name(code)) for code in await shipping_quotes.countries_shipped_to()
        ]
        self.stripe_enabled = get_settings().stripe_enabled
        self.test_cards = [
            (" ".join(n[i : i + 4] for i in range(0, 16, 4)), what)
            for n, what in offered_test_cards().items()
        ]
        preview_cart = await cart_queries.get_cart(self._cart_owner())
        self.empty = not preview_cart.lines
        if not preview_cart.ready_for_checkout:
            return rx.redirect("/cart")
        owner = self._cart_owner()
        await funnel.record(FunnelStep.CHECKOUT_STARTED, owner.key if owner else None)
        home = self.countries[0][0] if self.countries else ""
        form = {name: "" for name in FIELDS} | {"shipping_method": "standard", "country": home}
        form |= {k: v for k, v in self._details.items() if k in FIELDS}
        viewer = self.viewer
        self.saved_addresses = []
        if viewer is not None:
            form["email"] = form["email"] or viewer.email
            saved = await addresses.list_addresses(viewer.user_id)
            self.saved_addresses = [AddressChoice(str(a.id), a.one_line) for a in saved]
            if saved and not form["line1"]:
                form |= _address_fields(saved[0])
        self.form = form
        await self._offer_shipping(preview_cart)
        self.form_version += 1
        return None

    async def _offer_shipping(self, cart: Cart | None = None) -> None:
        """The methods the form's address may use, with this cart's prices (`cart`: as
        just read, else read again); the chosen one stays chosen when still offered, else
        the first is."""
        form = self.form
        self.errors = {
            k: v for k, v in self.errors.items() if k not in ("country", "shipping_method")
        }
        try:
            options = await order_queries.shipping_choices(
                self._cart_owner(),
                country=form.get("country", ""),
                region=form.get("region"),
                postcode=form.get("postal_code"),
                cart=cart,
            )
        except DomainError as error:
            message, fields = form_feedback(error)
            self.shipping_choices = []
            if form.get("postal_code") or not set(fields) - {"country"}:
                # Not before the postcode is typed: it may be what the zone needs.
                self.errors = self.errors | (fields or {"country": message})
            return
        self._show_shipping(options)

    def _show_shipping(self, options: list[ShippingOption]) -> None:
        currency = get_settings().shop_currency
        self.shipping_choices = [
            (
                option.code,
                " · ".join(
                    part
                    for part in (
                        option.label,
                        option.delivery,
                        format_money(option.price, currency) if option.price else "Free",
                    )
                    if part
                ),
            )
            for option in options
        ]
        codes = [code for code, _ in self.shipping_choices]
        if codes and self.form.get("shipping_method") not in codes:
            self.form = self.form | {"shipping_method": codes[0]}

    @rx.event
    async def choose_country(self, country: str) -> None:
        """The country select changed: offer that country's shipping methods."""
        self.form = self.form | {"country": str(country or "")[:2]}
        await self._offer_shipping()  # the form is not re-drawn: typed fields stay

    @rx.event
    async def address_typed(self, field: str, value: str) -> None:
        """The postal code or region was typed: zones may depend on them."""
        if field in ("postal_code", "region"):
            self.form = self.form | {field: str(value or "").strip()[:300]}
            self.errors = {k: v for k, v in self.errors.items() if k != field}
            await self._offer_shipping()

    @rx.event
    def choose_method(self, code: str) -> None:
        self.form = self.form | {"shipping_method": str(code or "")[:40]}

    @rx.event
    async def remember_email(self, value: str) -> None:
        """A guest's e-mail, kept with the cart as soon as it is typed if they asked for
        a reminder, so a cart left behind gets its one reminder (signed-in carts use the
        account's address)."""
        self._typed_email = str(value or "")[:300]
        await self._remember_contact(self._typed_email)

    @rx.event
    async def set_cart_reminders(self, wanted: bool) -> None:
        """The guest's "E-mail me about this cart" box (unticking forgets the address)."""
        self.cart_reminders = wanted is True  # handler arguments arrive unchecked
        await self._remember_contact(self._typed_email)

    async def _remember_contact(self, email: str) -> None:
        if self.viewer is None:
            await cart_contacts.remember_checkout_email(
                self._cart_owner(), email, opted_in=self.cart_reminders
            )

    @rx.event
    async def use_address(self, address_id: str) -> None:
        viewer = self.viewer
        if viewer is None:
            return
        for saved in await addresses.list_addresses(viewer.user_id):
            if str(saved.id) == address_id:
                self.form = self.form | _address_fields(saved)
                self.form_version += 1

    @rx.event
    async def review(self, form_data: dict[str, str]) -> rx.event.EventSpec | None:
        self._own_checkout()
        data = {name: str(form_data.get(name) or "").strip()[:300] for name in FIELDS}
        self.form = data
        try:
            details = parse_input(CheckoutDetails, data)
            preview = await order_queries.preview_checkout(
                self._cart_owner(),
                details,
                asker=self.client_address,
                user_id=self.viewer.user_id if self.viewer else None,
            )
        except DomainError as error:
            self.message, self.errors = form_feedback(error)
            if "discount" in error.code:
                self.message, self.errors = "", {"discount_code": error.message}
            if error.code in ("gift_card_refused", "too_many_attempts"):
                self.message, self.errors = "", {"gift_card_code": error.message}
            if set(self.errors) & {"country", "shipping_method", "region", "postal_code"}:
                refused = self.errors
                await self._offer_shipping()  # the address's methods, for choosing again
                self.errors = self.errors | refused
            return None
        if not preview.cart.ready_for_checkout:
            self.message, self.errors = "Your cart changed: please check it again.", {}
            return None
        self.errors, self.message = {}, ""
        self._details = data
        # Also when the browser filled the field in (no blur).
        self._typed_email = details.email
        await self._remember_contact(details.email)
        await self._cancel_abandoned_order()
        self._checkout_key = uuid.uuid4().hex  # one per review: a resubmission finds its order
        self._checkout_viewer = self._viewer_key
        currency = preview.cart.currency
        self.lines = [
            ReviewLine(
                line.display_name,
                str(line.quantity),
                format_money(line.line_total, currency),
                promotion=line_promotions(
                    line.promotion_title,
                    format_money(line.list_price, currency) if line.list_price else "",
                    line.multibuy_title,
                    format_money(line.multibuy_off, currency),
                ),
            )
            for line in preview.cart.lines
        ] + [
            ReviewLine(f"{card.display_name} ({card.delivery})", "1", card.amount_display)
            for card in preview.cart.gift_cards
        ]
        t = preview.totals
        rows = [("Subtotal", t.subtotal)]
        if t.multibuy_discount:
            rows.append((multibuy_row_label(preview.cart.multibuy_titles), -t.multibuy_discount))
        if t.promotion_discount:
            rows.append((preview.order_promotion or "Promotion", -t.promotion_discount))
        if t.code_discount:
            rows.append(
                (
                    f"Discount ({preview.discount.code})" if preview.discount else "Discount",
                    -t.code_discount,
                )
            )
        rows.append(
            (
                f"Shipping ({preview.shipping_promotion})"
                if preview.shipping_promotion
                else "Shipping",
                t.shipping,
            )
        )
        rows += tax_rows(t.tax_lines, t.tax, prices_include_tax=t.prices_include_tax)
        self.gift_card_rows = []
        if preview.gift_card is not None:
            self.gift_card_rows = [
                (preview.gift_card.label, "−" + format_money(preview.gift_card.amount, currency)),
                ("To pay", format_money(preview.amount_due, currency)),
            ]
        self.totals = [(label, format_money(amount, currency)) for label, amount in rows]
        self.total = format_money(t.total, currency)
        self.amount_due = format_money(preview.amount_due, currency)
        self.paid_by_gift_card = preview.gift_card is not None and preview.amount_due == 0
        self.address_lines = [
            details.full_name,
            details.line1,
            *([details.line2] if details.line2 else []),
            f"{details.postal_code} {details.city}",
            *([details.region] if details.region else []),
            country_name(details.country),
            details.email,
        ]
        self.step = "review"
        if self.stripe_enabled and not self.paid_by_gift_card:
            return rx.call_script(
                _mount_stripe_card_script(), callback=CheckoutState.card_form_ready
            )
        return None

    async def _cancel_abandoned_order(self) -> None:
        """Editing the details after an unpaid attempt starts a new order: the old one
        gives its stock back at once instead of when it expires."""
        if self._order_id:  # this viewer's: `review` checked
            with contextlib.suppress(DomainError):  # paid, processing or cancelled already
                await cancellation.cancel_order(uuid.UUID(self._order_id), shopper=self._shopper())
        self._order_id = ""

    @rx.event
    def edit(self) -> None:
        self.step, self.message = "details", ""
        self.form_version += 1

    @rx.event
    async def pay(self, form_data: dict[str, str]) -> AsyncIterator[rx.event.EventSpec | None]:
        """The test gateway's form: a (test) card number."""
        if self.paying or self.step != "review" or not self._ready_to_pay():
            return
        self.paying = True
        yield
        yield await self._place_and_pay(str(form_data.get("card_number") or "")[:40])

    @rx.event
    def pay_with_stripe(self) -> rx.event.EventSpec | None:
        """Stripe: Stripe.js turns the card into a PaymentMethod first (in the browser)."""
        if self.paying or self.step != "review" or not self._ready_to_pay():
            return None
        self.paying = True
        return rx.call_script(
            "window.kestrelStripe.paymentMethod()", callback=CheckoutState.pay_with_method
        )

    @rx.event
    async def pay_with_method(self, result: dict[str, str]) -> rx.event.EventSpec | None:
        method = str((result or {}).get("id") or "")
        if not STRIPE_PAYMENT_METHOD.match(method):
            self.paying = False
            self.message = str((result or {}).get("error") or "Check your card details.")[:300]
            return None
        return await self._place_and_pay(method)

    async def _place_and_pay(self, payment_method: str) -> rx.event.EventSpec | None:
        if not self._ready_to_pay():
            self.paying = False
            return None
        owner = self._cart_owner()
        if owner is None:  # no cart cookie: nothing was ever in a cart here
            self.message, self.paying = "Your cart is empty.", False
            return None
        try:
            done = await checkout.place_and_pay(
                cart_owner=owner,
                details=parse_input(CheckoutDetails, self._details),
                checkout_key=self._checkout_key,
                user_id=self.viewer.user_id if self.viewer else None,
                client_address=self.client_address,
                shopper=self._shopper(),
                payment_method=payment_method,
                attempt_key=uuid.uuid4().hex,
            )
        except DomainError as error:  # not placed (a limit, sold out, …): nothing to pay
            self.message, self.paying = error.message, False
            return None
        placed, outcome = done.order, done.payment
        self._order_id = str(placed.id)
        self._unlock_order(placed.id)
        if outcome.status == "failed":
            self.message, self.paying = outcome.message, False  # the order waits; cart kept
            return None
        if outcome.status == "requires_action" and self.stripe_enabled:
            # Stripe.js shows the bank's page; then the server reads the outcome.
            return rx.call_script(
                f"window.kestrelStripe.confirm({json.dumps(outcome.client_secret or '')})",
                callback=CheckoutState.bank_answered,
            )
        return await self._done(placed.number, outcome.status)

    @rx.event
    async def bank_answered(self, problem: str) -> rx.event.EventSpec | None:
        if not self._own_checkout() or not self._order_id:
            return None
        order_id = uuid.UUID(self._order_id)
        try:
            outcome = await checkout.confirm_payment(
                order_id, shopper=self._shopper(), approve=not problem
            )
        except DomainError as error:
            self.message, self.paying = error.message, False
            return None
        if outcome.status == "failed":
            self.message = str(problem or outcome.message)[:300]
            self.paying = False
            return None
        return await self._done(outcome.order_number, outcome.status)

    async def _done(self, number: str, outcome: str) -> rx.event.EventSpec:
        self.paying = False
        self._details, self._checkout_key, self._order_id = {}, "", ""
        self._checkout_viewer = ""
        if outcome == "succeeded":  # the checkout took the paid lines out of the cart
            (await self.get_state(HeaderState)).cart_item_count = 0
        if outcome == "requires_action":
            return rx.redirect(f"/checkout/confirm?order={number}")
        return rx.redirect(order_url(number) + "?placed=1")

    @rx.event
    def card_form_ready(self, problem: str) -> None:
        if problem:
            self.message = str(problem)[:300]


def _mount_stripe_card_script() -> str:
    """Load Stripe.js and our card-form script (once per page), then mount the card field.
    Loaded on demand: scripts React renders into a page are not run."""
    settings = get_settings()
    return f"""(async () => {{
      const load = (src) => new Promise((resolve, reject) => {{
        if (document.querySelector(`script[src="${{src}}"]`)) return resolve();
        const script = document.createElement("script");
        script.src = src; script.onload = resolve; script.onerror = reject;
        document.head.appendChild(script);
      }});
      try {{
        await load({json.dumps(settings.stripe_js_url)});
        await load("/stripe_payment.js");
      }} catch (error) {{
        return "The card form could not be loaded; reload the page to try again.";
      }}
      return window.kestrelStripe.mount({json.dumps(settings.stripe_publishable_key or "")},
                                        "#card-element");
    }})()"""


def _address_fields(saved: SavedAddress) -> dict[str, str]:
    return {
        "full_name": saved.full_name,
        "line1": saved.line1,
        "line2": saved.line2,
        "city": saved.city,
        "region": saved.region,
        "postal_code": saved.postal_code,
        "country": saved.country,
        "phone": saved.phone,
    }
