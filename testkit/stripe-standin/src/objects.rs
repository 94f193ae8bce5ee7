//! The JSON of each Stripe object, shaped like the API version async-stripe
//! 1.0.0-rc.10 pins (2026-09-30.endive): every field its generated types
//! require is present (the Option ones as null where Stripe would send null).

use serde_json::{Map, Value, json};

use crate::state::{CustomerRec, Metadata, SessionRec, SubRec};
use crate::{Price, Shared};

fn metadata(m: &Metadata) -> Value {
    json!(m)
}

pub(crate) fn product_id(price: &Price) -> String {
    format!("prod_{}", price.id.trim_start_matches("price_"))
}

pub(crate) fn customer(c: &CustomerRec) -> Value {
    json!({
        "id": c.id,
        "object": "customer",
        "address": null,
        "balance": 0,
        "business_name": null,
        "created": c.created,
        "currency": null,
        "customer_account": null,
        "default_source": null,
        "delinquent": false,
        "description": null,
        "discount": null,
        "email": c.email,
        "individual_name": null,
        "invoice_prefix": c.id.trim_start_matches("cus_").chars().take(8).collect::<String>().to_uppercase(),
        "invoice_settings": {
            "custom_fields": null,
            "default_payment_method": null,
            "footer": null,
            "rendering_options": null
        },
        "livemode": false,
        "metadata": metadata(&c.metadata),
        "name": c.name,
        "next_invoice_sequence": 1,
        "phone": null,
        "preferred_locales": [],
        "shipping": null,
        "tax_exempt": "none",
        "test_clock": null
    })
}

pub(crate) fn price(p: &Price) -> Value {
    json!({
        "id": p.id,
        "object": "price",
        "active": true,
        "billing_scheme": "per_unit",
        "created": 1_700_000_000,
        "currency": p.currency,
        "custom_unit_amount": null,
        "livemode": false,
        "lookup_key": null,
        "metadata": {},
        "nickname": p.product_name,
        "product": product_id(p),
        "recurring": {
            "interval": p.interval,
            "interval_count": 1,
            "meter": null,
            "trial_period_days": null,
            "usage_type": "licensed"
        },
        "tax_behavior": "unspecified",
        "tiers_mode": null,
        "transform_quantity": null,
        "type": "recurring",
        "unit_amount": p.unit_amount,
        "unit_amount_decimal": p.unit_amount.to_string()
    })
}

pub(crate) fn plan(p: &Price) -> Value {
    json!({
        "id": p.id,
        "object": "plan",
        "active": true,
        "amount": p.unit_amount,
        "amount_decimal": p.unit_amount.to_string(),
        "billing_scheme": "per_unit",
        "created": 1_700_000_000,
        "currency": p.currency,
        "interval": p.interval,
        "interval_count": 1,
        "livemode": false,
        "metadata": {},
        "meter": null,
        "nickname": p.product_name,
        "product": product_id(p),
        "tiers_mode": null,
        "transform_usage": null,
        "trial_period_days": null,
        "usage_type": "licensed"
    })
}

pub(crate) fn checkout_session(shared: &Shared, s: &SessionRec) -> Value {
    let price = shared.price(&s.price_id);
    let amount = price.map(|p| p.unit_amount * s.quantity);
    let complete = s.status == "complete";
    json!({
        "id": s.id,
        "object": "checkout.session",
        "adaptive_pricing": null,
        "after_expiration": null,
        "allow_promotion_codes": null,
        "amount_subtotal": amount,
        "amount_total": amount,
        "automatic_tax": { "enabled": false, "liability": null, "provider": null, "status": null },
        "billing_address_collection": null,
        "branding_settings": null,
        "cancel_url": s.cancel_url,
        "client_reference_id": s.client_reference_id,
        "client_secret": null,
        "collected_information": null,
        "consent": null,
        "consent_collection": null,
        "created": s.created,
        "currency": price.map(|p| p.currency.clone()),
        "currency_conversion": null,
        "custom_fields": [],
        "custom_text": {
            "after_submit": null,
            "shipping_address": null,
            "submit": null,
            "terms_of_service_acceptance": null
        },
        "customer": s.customer,
        "customer_account": null,
        "customer_creation": if s.customer.is_some() { Value::Null } else { json!("always") },
        "customer_details": if complete {
            json!({ "address": null, "business_name": null, "email": s.payer_email, "individual_name": null,
                    "name": null, "phone": null, "tax_exempt": "none", "tax_ids": [] })
        } else { Value::Null },
        "customer_email": s.customer_email,
        "discounts": [],
        "expires_at": s.expires_at,
        "invoice": s.invoice,
        "invoice_creation": null,
        "livemode": false,
        "locale": null,
        "metadata": metadata(&s.metadata),
        "mode": "subscription",
        "optional_items": null,
        "origin_context": null,
        "payment_intent": null,
        "payment_link": null,
        "payment_method_collection": "always",
        "payment_method_configuration_details": null,
        "payment_method_options": null,
        "payment_method_types": ["card"],
        "payment_status": if complete { "paid" } else { "unpaid" },
        "permissions": null,
        "phone_number_collection": { "enabled": false },
        "recovered_from": null,
        "saved_payment_method_options": null,
        "setup_intent": null,
        "shipping_address_collection": null,
        "shipping_cost": null,
        "shipping_options": [],
        "status": s.status,
        "submit_type": null,
        "subscription": s.subscription,
        "success_url": s.success_url,
        "total_details": { "amount_discount": 0, "amount_shipping": 0, "amount_tax": 0 },
        "ui_mode": "hosted",
        "url": if s.status == "open" { json!(format!("{}checkout/{}", shared.base_url, s.id)) } else { Value::Null },
        "wallet_options": null
    })
}

pub(crate) fn subscription(shared: &Shared, s: &SubRec) -> Value {
    let price = shared.price(&s.price_id).expect("subscriptions only reference configured prices");
    let item = json!({
        "id": s.item_id,
        "object": "subscription_item",
        "billing_thresholds": null,
        "created": s.item_created,
        "current_period_end": s.period_end,
        "current_period_start": s.period_start,
        "discounts": [],
        "metadata": {},
        "plan": plan(price),
        "price": self::price(price),
        "quantity": s.quantity,
        "subscription": s.id,
        "tax_rates": []
    });
    json!({
        "id": s.id,
        "object": "subscription",
        "application": null,
        "application_fee_percent": null,
        "automatic_tax": { "disabled_reason": null, "enabled": false, "liability": null },
        "billing_cycle_anchor": s.created,
        "billing_cycle_anchor_config": null,
        "billing_mode": { "flexible": null, "type": "classic", "updated_at": null },
        "billing_schedules": [],
        "billing_thresholds": null,
        "cancel_at": if s.cancel_at_period_end { json!(s.period_end) } else { Value::Null },
        "cancel_at_period_end": s.cancel_at_period_end,
        "canceled_at": s.canceled_at,
        "cancellation_details": { "comment": null, "feedback": null, "reason": s.cancellation_reason },
        "collection_method": "charge_automatically",
        "created": s.created,
        "currency": price.currency,
        // Older API versions had the period at the top level; harmless to keep.
        "current_period_end": s.period_end,
        "current_period_start": s.period_start,
        "customer": s.customer,
        "customer_account": null,
        "days_until_due": null,
        "default_payment_method": null,
        "default_source": null,
        "default_tax_rates": [],
        "description": null,
        "discounts": [],
        "ended_at": s.ended_at,
        "invoice_settings": { "account_tax_ids": null, "issuer": { "type": "self" } },
        "items": {
            "object": "list",
            "data": [item],
            "has_more": false,
            "total_count": 1,
            "url": format!("/v1/subscription_items?subscription={}", s.id)
        },
        "latest_invoice": s.latest_invoice,
        "livemode": false,
        "managed_payments": null,
        "metadata": metadata(&s.metadata),
        "next_pending_invoice_item_invoice": null,
        "on_behalf_of": null,
        "pause_collection": null,
        "payment_settings": {
            "payment_method_options": null,
            "payment_method_types": null,
            "save_default_payment_method": "off"
        },
        "pending_invoice_item_interval": null,
        "pending_setup_intent": null,
        "pending_update": null,
        "presentment_details": null,
        "schedule": null,
        "start_date": s.created,
        "status": s.status,
        "test_clock": null,
        "transfer_data": null,
        "trial_end": null,
        "trial_settings": { "end_behavior": { "missing_payment_method": "create_invoice" } },
        "trial_start": null
    })
}

pub(crate) struct InvoiceSpec<'a> {
    pub id: String,
    pub number: String,
    /// The subscription, with the period being billed.
    pub sub: &'a SubRec,
    pub price: &'a Price,
    pub billing_reason: &'a str,
    pub paid: bool,
    pub customer_email: Option<String>,
    pub customer_name: Option<String>,
    pub created: i64,
}

pub(crate) fn invoice(shared: &Shared, spec: &InvoiceSpec<'_>) -> Value {
    let sub = spec.sub;
    let amount = spec.price.unit_amount * sub.quantity;
    let (status, amount_paid, amount_remaining, paid_at) =
        if spec.paid { ("paid", amount, 0, json!(spec.created)) } else { ("open", 0, amount, Value::Null) };
    let line = json!({
        "id": format!("il_{}", spec.id.trim_start_matches("in_")),
        "object": "line_item",
        "amount": amount,
        "currency": spec.price.currency,
        "description": format!("{} × {} (at {} {} / {})", sub.quantity, spec.price.product_name,
            spec.price.unit_amount, spec.price.currency, spec.price.interval),
        "discount_amounts": [],
        "discountable": true,
        "discounts": [],
        "invoice": spec.id,
        "livemode": false,
        "metadata": metadata(&sub.metadata),
        "parent": {
            "invoice_item_details": null,
            "subscription_item_details": {
                "invoice_item": null,
                "proration": false,
                "proration_details": { "credited_items": null },
                "subscription": sub.id,
                "subscription_item": sub.item_id
            },
            "type": "subscription_item_details"
        },
        "period": { "end": sub.period_end, "start": sub.period_start },
        "pretax_credit_amounts": [],
        "pricing": {
            "price_details": { "price": spec.price.id, "product": product_id(spec.price) },
            "type": "price_details",
            "unit_amount_decimal": spec.price.unit_amount.to_string()
        },
        "quantity": sub.quantity,
        "subtotal": amount,
        "taxes": []
    });
    json!({
        "id": spec.id,
        "object": "invoice",
        "account_country": "US",
        "account_name": "Stripe stand-in",
        "account_tax_ids": null,
        "amount_due": amount,
        "amount_overpaid": 0,
        "amount_paid": amount_paid,
        "amount_remaining": amount_remaining,
        "amount_shipping": 0,
        "application": null,
        "attempt_count": 1,
        "attempted": true,
        "auto_advance": !spec.paid,
        "automatic_tax": { "disabled_reason": null, "enabled": false, "liability": null, "provider": null, "status": null },
        "automatically_finalizes_at": null,
        "billing_reason": spec.billing_reason,
        "collection_method": "charge_automatically",
        "confirmation_secret": null,
        "created": spec.created,
        "currency": spec.price.currency,
        "custom_fields": null,
        "customer": sub.customer,
        "customer_account": null,
        "customer_address": null,
        "customer_email": spec.customer_email,
        "customer_name": spec.customer_name,
        "customer_phone": null,
        "customer_shipping": null,
        "customer_tax_exempt": "none",
        "customer_tax_ids": [],
        "default_payment_method": null,
        "default_source": null,
        "default_tax_rates": [],
        "description": null,
        "discounts": [],
        "due_date": null,
        "effective_at": spec.created,
        "ending_balance": 0,
        "footer": null,
        "from_invoice": null,
        "hosted_invoice_url": format!("{}invoice/{}", shared.base_url, spec.id),
        "invoice_pdf": format!("{}invoice/{}/pdf", shared.base_url, spec.id),
        "issuer": { "type": "self" },
        "last_finalization_error": null,
        "latest_revision": null,
        "lines": {
            "object": "list",
            "data": [line],
            "has_more": false,
            "total_count": 1,
            "url": format!("/v1/invoices/{}/lines", spec.id)
        },
        "livemode": false,
        "metadata": {},
        "next_payment_attempt": if spec.paid { Value::Null } else { json!(spec.created + 3 * 86_400) },
        "number": spec.number,
        "on_behalf_of": null,
        "parent": {
            "quote_details": null,
            "subscription_details": {
                "metadata": metadata(&sub.metadata),
                "subscription": sub.id
            },
            "type": "subscription_details"
        },
        "payment_settings": { "default_mandate": null, "payment_method_options": null, "payment_method_types": null },
        // The period billed (Stripe's own invoice-level period is the previous
        // one for cycle invoices; read lines.data[0].period to be exact).
        "period_end": sub.period_end,
        "period_start": sub.period_start,
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "receipt_number": null,
        "rendering": null,
        "shipping_cost": null,
        "shipping_details": null,
        "starting_balance": 0,
        "statement_descriptor": null,
        "status": status,
        "status_transitions": {
            "finalized_at": spec.created,
            "marked_uncollectible_at": null,
            "paid_at": paid_at,
            "voided_at": null
        },
        // For readers of older API versions.
        "subscription": sub.id,
        "subtotal": amount,
        "subtotal_excluding_tax": amount,
        "test_clock": null,
        "total": amount,
        "total_discount_amounts": [],
        "total_excluding_tax": amount,
        "total_pretax_credit_amounts": [],
        "total_taxes": [],
        "webhooks_delivered_at": null
    })
}

pub(crate) fn portal_session(
    shared: &Shared,
    id: &str,
    customer: &str,
    return_url: Option<&str>,
    created: i64,
) -> Value {
    json!({
        "id": id,
        "object": "billing_portal.session",
        "configuration": "bpc_standin_default",
        "created": created,
        "customer": customer,
        "customer_account": null,
        "flow": null,
        "livemode": false,
        "locale": null,
        "on_behalf_of": null,
        "return_url": return_url,
        "url": format!("{}portal/{}", shared.base_url, id)
    })
}

/// `data.previous_attributes` of an update: the old value of every top-level
/// field that changed (and of `items` when the period moved).
pub(crate) fn previous_attributes(before: &Value, after: &Value) -> Value {
    let mut changed = Map::new();
    if let (Some(b), Some(a)) = (before.as_object(), after.as_object()) {
        for (k, v) in b {
            if a.get(k) != Some(v) {
                changed.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(changed)
}

/// Stripe's error envelope.
pub(crate) fn error(kind: &str, code: Option<&str>, message: &str, param: Option<&str>) -> Value {
    let mut error = json!({ "type": kind, "message": message });
    if let Some(code) = code {
        error["code"] = json!(code);
        error["doc_url"] = json!(format!("https://stripe.com/docs/error-codes/{}", code.replace('_', "-")));
    }
    if let Some(param) = param {
        error["param"] = json!(param);
    }
    error["request_log_url"] = Value::Null;
    json!({ "error": error })
}
