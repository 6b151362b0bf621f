"""The shapes of the orders API: what `/orders` takes and answers (api/v1/orders.py)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field

from api.v1.products import Money
from backend.accounts import inputs as address_rules
from backend.core.money import decimal_string
from backend.core.validation import text_input_schema
from backend.orders.fulfilment import MAX_CARRIER_LENGTH, MAX_TRACKING_LENGTH
from backend.orders.queries import CheckoutPreview
from backend.payments.queries import OrderWithPayments
from backend.pricing.discounts import MAX_CODE_LENGTH

RefundAmount = Annotated[str, Field(pattern=r"^\d{1,10}(\.\d{1,2})?$", examples=["12.50"])]


class OrderLineOut(BaseModel):
    id: uuid.UUID | None = Field(
        default=None,
        description="The line, as an edit names it (staff: POST /orders/{number}/edits).",
    )
    product_id: uuid.UUID | None = Field(description="None once the product is deleted.")
    variant_id: uuid.UUID | None = Field(description="None once the variant is deleted.")
    name: str
    sku: str = Field(description="the variant's, when it was bought")
    options: dict[str, str] = Field(
        examples=[{"Size": "M", "Colour": "Navy"}],
        description="the variant's option values when it was bought",
    )
    quantity: int
    unit_price: Money
    promotion: str | None = Field(
        default=None,
        examples=["20 % off Outerwear"],
        description="the automatic promotion the line is priced under",
    )
    list_price: Money | None = Field(
        default=None, description="the unit price before that promotion"
    )
    multibuy: str | None = Field(
        default=None,
        examples=["Buy 2, get 1 free"],
        description="the multi-buy the line counted towards",
    )
    multibuy_discount: Money = Field(
        default="0.00", description="what it took off the line (part of the order's discount)"
    )
    line_total: Money


class TimelineEntryOut(BaseModel):
    at: datetime
    axis: str = Field(
        description="order (the goods), payment (the money) or return (one of its returns)"
    )
    status: str
    note: str


class TaxLineOut(BaseModel):
    name: str = Field(description='"VAT", "GST", "Sales tax".')
    percent: str = Field(description='"19", "8.875".')
    base: Money = Field(description="What the rate was charged on.")
    amount: Money


class AllocationOut(BaseModel):
    """Where some of an order's goods are held: what it ships from."""

    location_id: uuid.UUID
    location: str = Field(examples=["Main warehouse"])
    variant_id: uuid.UUID
    sku: str
    quantity: int = Field(ge=1)


class ParcelOut(BaseModel):
    """One parcel a shipped order left in."""

    location_id: uuid.UUID | None = Field(
        description="The stock location it left from (null: nothing in it was held at one)."
    )
    location: str = Field(examples=["Main warehouse"])
    carrier: str = Field(examples=["UPS"])
    tracking_number: str = Field(examples=["1Z999AA10123456784"])
    shipped_at: datetime


class OrderOut(BaseModel):
    number: str
    status: str = Field(description="pending_payment, paid, fulfilled, delivered, cancelled")
    payment_status: str = Field(
        description="unpaid, requires_action, processing, paid, failed, partially_refunded, "
        "refunded"
    )
    email: str
    customer_name: str
    shipping_address: dict[str, str | None]
    shipping_method: str
    lines: list[OrderLineOut]
    subtotal: Money
    discount: Money
    shipping: Money
    tax: Money
    tax_lines: list[TaxLineOut] = Field(description="The tax per rate, as charged.")
    prices_include_tax: bool = Field(
        description="The prices (lines, shipping) include the tax; `total` does not add it."
    )
    total: Money
    gift_card_amount: Money = Field(description="What gift cards paid of the total.")
    amount_due: Money = Field(
        description="What the card payment covers: the total less the gift cards' part."
    )
    refunded: Money
    currency: str
    discount_code: str | None
    promotion: str | None = Field(
        description="the order-wide promotion it got (its part of `discount`: `promotion_discount`)"
    )
    promotion_discount: Money
    multibuy_discount: Money = Field(
        description="what multi-buys took off the lines (part of `discount`)"
    )
    shipping_promotion: str | None = Field(description="the shipping promotion it got")
    carrier: str | None
    tracking_number: str | None
    can_pay: bool
    can_cancel: bool
    test_payment: bool = Field(
        description="Paid through the built-in test gateway (PAYMENT_GATEWAY=test): "
        "nobody was charged."
    )
    created_at: datetime
    pay_by: datetime | None = Field(description="An unpaid order is cancelled after this.")
    timeline: list[TimelineEntryOut]
    ships_from: list[AllocationOut] | None = Field(
        default=None,
        description="Staff (orders: view) only, null for shoppers: where its goods are held, "
        "per location and SKU, by the locations' priority. Shipped as held, it leaves as one "
        "parcel per location.",
    )
    parcels: list[ParcelOut] | None = Field(
        default=None,
        description="Staff (orders: view) only, null for shoppers: the parcels it shipped in "
        "(empty before it ships).",
    )

    @classmethod
    def of(cls, order: OrderWithPayments) -> Self:
        return cls(
            number=order.number,
            status=order.status,
            payment_status=order.payment_status,
            email=order.email,
            customer_name=order.customer_name,
            shipping_address={
                k: None if v is None else str(v) for k, v in order.shipping_address.items()
            },
            shipping_method=order.shipping_method,
            lines=[
                OrderLineOut(
                    id=line.line_id,
                    product_id=line.product_id,
                    variant_id=line.variant_id,
                    name=line.name,
                    sku=line.sku,
                    options=dict(line.options),
                    quantity=line.quantity,
                    unit_price=decimal_string(line.unit_price),
                    promotion=line.promotion_title,
                    list_price=(
                        decimal_string(line.list_price) if line.list_price is not None else None
                    ),
                    multibuy=line.multibuy_title,
                    multibuy_discount=decimal_string(line.multibuy_discount),
                    line_total=decimal_string(line.line_total),
                )
                for line in order.lines
            ],
            subtotal=decimal_string(order.subtotal),
            discount=decimal_string(order.discount),
            shipping=decimal_string(order.shipping),
            tax=decimal_string(order.tax),
            tax_lines=[
                TaxLineOut(
                    name=line.tax.name,
                    percent=f"{line.tax.percent.normalize():f}",
                    base=decimal_string(line.base),
                    amount=decimal_string(line.amount),
                )
                for line in order.tax_lines
            ],
            prices_include_tax=order.prices_include_tax,
            total=decimal_string(order.total),
            gift_card_amount=decimal_string(order.gift_card_amount),
            amount_due=decimal_string(order.amount_due),
            refunded=decimal_string(order.refunded_amount),
            currency=order.currency,
            discount_code=order.discount_code,
            promotion=order.order_promotion_title,
            promotion_discount=decimal_string(order.order_promotion_amount),
            multibuy_discount=decimal_string(order.multibuy_discount),
            shipping_promotion=order.shipping_promotion_title,
            carrier=order.carrier,
            tracking_number=order.tracking_number,
            can_pay=order.can_pay,
            can_cancel=order.can_cancel,
            test_payment=order.test_payment,
            created_at=order.created_at,
            pay_by=order.expires_at,
            timeline=[
                TimelineEntryOut(at=entry.at, axis=entry.axis, status=entry.status, note=entry.note)
                for entry in order.timeline
            ],
        )


class PlacedOrderOut(OrderOut):
    order_token: str | None = Field(
        default=None,
        description="Only for a guest's order: the order's own credential, sent as "
        "X-Order-Token to read, pay or cancel it (30 days; POST /orders/lookup gives a new "
        "one). Keep it like a password.",
    )


class OrderListItem(BaseModel):
    number: str
    created_at: datetime
    status: str
    payment_status: str
    total: Money
    currency: str
    item_count: int | None = Field(default=None, description="In your own list.")
    customer_name: str | None = Field(default=None, description="With scope=all.")
    email: str | None = Field(default=None, description="With scope=all.")


class OrderListParams(BaseModel):
    """Paging, and for admins (`scope=all`) the staff list's filters, read by the orders
    domain's own parser (a message per wrong field)."""

    page: int = Field(default=1, ge=1, le=10_000)
    limit: int = Field(default=20, ge=1, le=100)
    scope: Literal["own", "all"] = "own"
    status: str | None = Field(default=None, max_length=40, description="An order status.")
    placed_from: str | None = Field(default=None, max_length=10, description="YYYY-MM-DD, UTC.")
    placed_to: str | None = Field(default=None, max_length=10, description="Included.")
    min_total: str | None = Field(default=None, max_length=20, examples=["25.00"])
    max_total: str | None = Field(default=None, max_length=20, examples=["100.00"])
    search: str | None = Field(default=None, max_length=100, description="Number, e-mail, name.")


# The staff list's filters among the parameters.
ORDER_FILTERS = ("status", "placed_from", "placed_to", "min_total", "max_total", "search")


# Described to clients with the address book's limits; the checkout's own rules check
# them (trimming, upper-casing, one message per field).
EmailText = Annotated[str, text_input_schema(address_rules.EMAIL_MAX_LENGTH, format="email")]
CountryText = Annotated[str, text_input_schema(2, pattern=address_rules.COUNTRY_CODE.pattern)]


class OrderCreate(BaseModel):
    """Checkout details; the shop's address rules apply (400 with a message per field)."""

    email: EmailText | None = Field(default=None, description="Defaults to your account's.")
    full_name: Annotated[str, text_input_schema(address_rules.FULL_NAME_MAX_LENGTH)]
    line1: Annotated[str, text_input_schema(address_rules.LINE_MAX_LENGTH)]
    line2: Annotated[str, text_input_schema(address_rules.LINE_MAX_LENGTH)] | None = None
    city: Annotated[str, text_input_schema(address_rules.CITY_MAX_LENGTH)]
    region: Annotated[str, text_input_schema(address_rules.REGION_MAX_LENGTH)] | None = None
    postal_code: Annotated[
        str,
        text_input_schema(
            address_rules.POSTAL_CODE_MAX_LENGTH, pattern=address_rules.POSTAL_CODE.pattern
        ),
    ] = Field(examples=["10115"])
    country: CountryText = Field(description="Two letters: a country the shop ships to.")
    phone: (
        Annotated[
            str,
            text_input_schema(address_rules.MAX_PHONE_LENGTH, pattern=address_rules.PHONE.pattern),
        ]
        | None
    ) = None
    shipping_method: str = Field(
        default="standard",
        max_length=40,
        description="A method code of the address's shipping zone (GET /shipping/methods "
        "lists them with prices for your cart).",
    )
    discount_code: Annotated[str, text_input_schema(MAX_CODE_LENGTH)] | None = None
    gift_card_code: str | None = Field(
        default=None,
        max_length=40,
        description="A gift card's code: it pays what it holds towards the total (an order "
        "it pays in full is placed paid). Unknown codes count as guesses: too many from "
        "one address answer 429 for a while.",
    )


class ShippingOptionOut(BaseModel):
    code: str = Field(examples=["standard"], description="Send it as `shipping_method`.")
    label: str = Field(examples=["Standard"])
    delivery: str = Field(examples=["3–5 working days"])
    price: str = Field(examples=["4.95"], description="For this cart, after free-from amounts.")


class OrderPreviewOut(BaseModel):
    """What `POST /orders` with the same body would charge now (nothing is reserved or
    redeemed): the review step of a checkout."""

    currency: str = Field(examples=["USD"])
    subtotal: str = Field(examples=["48.00"])
    discount: str = Field(
        examples=["4.80"], description="All of it: multi-buys, the order promotion, the code."
    )
    multibuy_discount: str
    promotion_discount: str = Field(description="The order-wide promotion's part.")
    code_discount: str = Field(description="The discount code's part.")
    shipping: str = Field(examples=["4.95"])
    tax: str = Field(examples=["3.92"])
    total: str = Field(examples=["52.07"])
    prices_include_tax: bool
    order_promotion: str | None = Field(description="The order-wide promotion's title.")
    shipping_promotion: str | None = Field(description="The shipping promotion's title.")
    gift_card_amount: str = Field(examples=["0.00"], description="What the gift card pays.")
    amount_due: str = Field(examples=["52.07"], description="Left for the card payment.")
    shipping_options: list[ShippingOptionOut] = Field(
        description="The address's shipping methods, priced for this cart."
    )

    @classmethod
    def of(cls, preview: CheckoutPreview) -> OrderPreviewOut:
        totals = preview.totals
        return cls(
            currency=preview.cart.currency,
            subtotal=decimal_string(totals.subtotal),
            discount=decimal_string(totals.discount),
            multibuy_discount=decimal_string(totals.multibuy_discount),
            promotion_discount=decimal_string(totals.promotion_discount),
            code_discount=decimal_string(totals.code_discount),
            shipping=decimal_string(totals.shipping),
            tax=decimal_string(totals.tax),
            total=decimal_string(totals.total),
            prices_include_tax=totals.prices_include_tax,
            order_promotion=preview.order_promotion,
            shipping_promotion=preview.shipping_promotion,
            gift_card_amount=decimal_string(
                preview.gift_card.amount if preview.gift_card else Decimal(0)
            ),
            amount_due=decimal_string(preview.amount_due),
            shipping_options=[
                ShippingOptionOut(
                    code=option.code,
                    label=option.label,
                    delivery=option.delivery,
                    price=decimal_string(option.price),
                )
                for option in preview.shipping_options
            ],
        )


class PaymentIn(BaseModel):
    payment_method: str = Field(
        min_length=1,
        max_length=255,
        description="Stripe: a PaymentMethod id (pm_…). Test gateway: a test card number "
        "(4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined).",
    )


class PaymentConfirmationIn(BaseModel):
    approve: bool = Field(
        default=True,
        description="The test gateway takes it as the shopper's answer to the bank. With "
        "Stripe the shopper answered in Stripe.js and the shop reads the outcome from "
        "Stripe: this field is ignored.",
    )


class PaymentOut(BaseModel):
    status: Literal["succeeded", "requires_action", "processing"]
    message: str
    redirect_url: str | None = Field(
        description="requires_action: where the shopper confirms the payment with their bank."
    )
    client_secret: str | None = Field(description="Stripe: for Stripe.js's confirmation step.")
    order: OrderOut


class ParcelIn(BaseModel):
    location_id: uuid.UUID = Field(description="A location the order's goods are held at.")
    tracking_number: str = Field(max_length=MAX_TRACKING_LENGTH, examples=["1Z999AA10123456784"])


class FulfilmentIn(BaseModel):
    """Ship as held (one parcel per location holding the goods: `ships_from` of the order),
    or all from one location (`ship_from`)."""

    carrier: str = Field(max_length=MAX_CARRIER_LENGTH, examples=["UPS"])
    tracking_number: str = Field(
        default="",
        max_length=MAX_TRACKING_LENGTH,
        description="The tracking number: of the one parcel, or one lead number for every "
        "parcel. Required unless `parcels` gives them.",
        examples=["1Z999AA10123456784"],
    )
    ship_from: uuid.UUID | None = Field(
        default=None,
        description="Ship it all from this stock location (GET /admin/ship-from-locations): "
        "what is held elsewhere moves there first (400 when it does not hold enough). "
        "Omitted: from where the goods are held.",
    )
    parcels: list[ParcelIn] | None = Field(
        default=None,
        max_length=100,
        description="Shipping as held from several locations: each parcel's tracking number, "
        "one per location (a missing one: 400, `errors` names `tracking-<location id>`).",
    )


class RefundIn(BaseModel):
    amount: RefundAmount | None = Field(
        default=None, description="Leave out to refund all that is left."
    )


class ManualPaymentIn(BaseModel):
    method: Literal["bank_transfer", "cash"]
    reference: str = Field(default="", max_length=200, description="A transfer's reference")


class OrderEditIn(BaseModel):
    quantities: dict[str, int] = Field(
        default_factory=dict,
        description="Line id → its new quantity (0 removes the line); lines not named stay.",
        max_length=200,
    )
    added: dict[str, int] = Field(
        default_factory=dict,
        description="Variant id → the quantity to add (priced as the shop sells it now).",
        max_length=200,
    )
    shipping: dict[str, Annotated[str, text_input_schema(address_rules.LINE_MAX_LENGTH)]] | None = (
        Field(
            default=None,
            description=(
                "New shipping details: full_name, line1, line2, city, region, postal_code, "
                "country, phone, shipping_method (the customer's e-mail stays the order's). "
                "Omitted: as they are."
            ),
            max_length=20,
        )
    )


class OrderEditOut(BaseModel):
    order: OrderOut
    changes: list[str] = Field(examples=[["Storm Coat (M): 1 → 2"]])
    old_total: Money
    total: Money
    to_pay: Money = Field(description="What the customer owes now (a payment link is e-mailed)")
    given_back: Money = Field(description="What went back to the customer")
    payment_link_sent: bool
    refund_failure: str | None = Field(
        default=None, description="Why giving back the difference failed (it is still owed)."
    )


class RefundOut(BaseModel):
    refunded: Money
    order: OrderOut


class DocumentOut(BaseModel):
    """An invoice or credit note of an order."""

    number: str = Field(examples=["INV-2026-00001"])
    kind: Literal["invoice", "credit_note"]
    issued_at: datetime
    total: Money
    currency: str
    pdf_url: str = Field(
        description="The PDF, for an hour: anyone holding the link may download it."
    )


class CancellationPreviewOut(BaseModel):
    """What `POST /orders/{number}/cancel` would do now, as an admin (nothing is changed)."""

    may_cancel: bool = Field(description="Unpaid, or paid and not shipped.")
    refunds: bool = Field(description="Paid and not shipped: cancelling refunds it first.")
    refund_amount: Money = Field(description="What goes back: what came in less refunds.")
    currency: str = Field(examples=["USD"])


class GiveBackOut(BaseModel):
    given_back: Money = Field(description="What went back to the customer now.")
    order: OrderOut


class LocationChoiceOut(BaseModel):
    id: uuid.UUID = Field(description="What `ship_from` takes.")
    name: str = Field(examples=["Main warehouse"])
