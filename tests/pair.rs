//! The pair test: apply schema version A (`tests/pair/a`), fill it with rows, then apply
//! version B (`tests/pair/b`: a table rename through `renamed_from`, a column type change
//! with `using`, a new foreign key, a dropped column approved as destructive). The data
//! in every untouched column survives: same row counts, same checksums.

mod common;

use common::TestDb;
use pgrecon::apply::{self, ApplyError, ApplyOptions, ApplyOutcome, NoHooks};
use pgrecon::diff::DiffOptions;
use pgrecon::model::Catalog;
use pgrecon::render::{Format, render};
use pgrecon::{canon, config, diff, introspect, plan};
use std::path::Path;
use tokio_postgres::Client;

fn desired(version: &str) -> Catalog {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/pair")
        .join(version);
    match config::load_dir(&dir) {
        Ok(d) => d.catalog,
        Err(e) => panic!(
            "tests/pair/{version} does not load:\n{}",
            config::render(&e)
        ),
    }
}

async fn plan_now(client: &mut Client, desired: &Catalog) -> plan::Plan {
    let desired = canon::in_scratch_transaction(client, desired)
        .await
        .unwrap_or_else(|e| panic!("canonicalize: {e}"));
    let live = introspect::snapshot(client).await.expect("introspect");
    plan::build(&diff::diff(&desired, &live, &DiffOptions::default()).expect("diff")).expect("plan")
}

async fn one(client: &Client, sql: &str) -> String {
    client
        .query_one(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0)
}

/// Row count and md5 over the untouched columns, in id order.
async fn fingerprint(client: &Client, customers: &str) -> (String, String, String, String) {
    let customer_count = one(
        client,
        &format!("SELECT count(*)::text FROM shop.{customers}"),
    )
    .await;
    let customer_sum = one(
        client,
        &format!(
            "SELECT md5(string_agg(concat_ws('|', id, name, email), ',' ORDER BY id))
             FROM shop.{customers}"
        ),
    )
    .await;
    let order_count = one(client, "SELECT count(*)::text FROM shop.orders").await;
    let order_sum = one(
        client,
        "SELECT md5(string_agg(concat_ws('|', id, customer_id, placed_at, note), ','
                               ORDER BY id))
         FROM shop.orders",
    )
    .await;
    (customer_count, customer_sum, order_count, order_sum)
}

async fn apply(
    client: &mut Client,
    desired: &Catalog,
    allow_destructive: bool,
) -> apply::ApplyOutcome {
    let options = ApplyOptions {
        allow_destructive,
        ..ApplyOptions::default()
    };
    apply::apply(client, desired, &options, &mut NoHooks)
        .await
        .unwrap_or_else(|e| panic!("apply failed: {e}"))
}

#[tokio::test]
async fn data_in_untouched_columns_survives_version_b() {
    let db = TestDb::new().await;
    let mut client = db.client().await;
    let a = desired("a");
    let b = desired("b");

    let outcome = apply(&mut client, &a, false).await;
    assert!(matches!(outcome, ApplyOutcome::Applied { .. }));
    assert!(plan_now(&mut client, &a).await.is_empty(), "A converged");

    client
        .batch_execute(
            "INSERT INTO shop.customers (name, email, legacy_code)
             SELECT 'customer ' || i, 'c' || i || '@example.com', 'L' || i
             FROM generate_series(1, 1000) AS i;
             INSERT INTO shop.orders (customer_id, amount, placed_at, note)
             SELECT 1 + i % 1000, (i % 997) || '.' || lpad((i % 100)::text, 2, '0'),
                    timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute',
                    CASE WHEN i % 3 = 0 THEN NULL ELSE 'note ' || i END
             FROM generate_series(1, 5000) AS i;",
        )
        .await
        .expect("insert rows");
    let before = fingerprint(&client, "customers").await;
    let amounts_before = one(
        &client,
        "SELECT md5(string_agg(amount::numeric(10,2)::text, ',' ORDER BY id)) FROM shop.orders",
    )
    .await;

    // B drops a column: refused without approval, and nothing changes.
    let plan = plan_now(&mut client, &b).await;
    let text = render(&plan, None, Format::Text);
    assert!(
        plan.steps
            .iter()
            .any(|s| s.summary.to_lowercase().contains("rename")),
        "the table is renamed, not recreated:\n{text}"
    );
    assert!(
        plan.destructive_steps().next().is_some(),
        "dropping legacy_code is destructive:\n{text}"
    );
    let refused = apply::apply(&mut client, &b, &ApplyOptions::default(), &mut NoHooks)
        .await
        .expect_err("the drop needs approval");
    assert!(matches!(refused, ApplyError::Destructive(_)), "{refused}");
    assert_eq!(fingerprint(&client, "customers").await, before);

    let outcome = apply(&mut client, &b, true).await;
    assert!(matches!(outcome, ApplyOutcome::Applied { .. }));
    let again = plan_now(&mut client, &b).await;
    assert!(
        again.is_empty(),
        "B converged:\n{}",
        render(&again, None, Format::Text)
    );

    assert_eq!(
        fingerprint(&client, "clients").await,
        before,
        "row counts and checksums of the untouched columns"
    );
    let amounts_after = one(
        &client,
        "SELECT md5(string_agg(amount::text, ',' ORDER BY id)) FROM shop.orders",
    )
    .await;
    assert_eq!(
        amounts_after, amounts_before,
        "amounts converted with `using`"
    );
    let amount_type = one(
        &client,
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute
         WHERE attrelid = 'shop.orders'::regclass AND attname = 'amount'",
    )
    .await;
    assert_eq!(amount_type, "numeric(10,2)");
    let legacy = one(
        &client,
        "SELECT count(*)::text FROM pg_attribute
         WHERE attrelid = 'shop.clients'::regclass AND attname = 'legacy_code'
           AND NOT attisdropped",
    )
    .await;
    assert_eq!(legacy, "0", "legacy_code is gone");
    // The new foreign key holds and is enforced.
    let err = client
        .batch_execute("INSERT INTO shop.orders (customer_id, amount) VALUES (424242, 1)")
        .await
        .expect_err("the foreign key rejects an unknown client");
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::FOREIGN_KEY_VIOLATION)
    );
}
