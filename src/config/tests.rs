//! Unit tests of the loader, one file per kind; the example files and helpers they share
//! are here.

use super::*;
use crate::model::{
    Acl, DefaultPrivilegeKey, FunctionId, Grantee, Membership, ObjectKind, Privilege,
    QualifiedName, RelationKind, SettingValue,
};
use secrecy::ExposeSecret;
use std::collections::BTreeMap;

mod checks;
mod example;
mod files;
mod format;
mod names;
mod roles;
mod settings;
mod sql_types;
mod table_errors;
mod tables;

const ROLES: &str = r#"
#:schema ../schemas/desired-state.schema.json

[scope]
owned_roles = ["butler_*_app"]
owned_schemas = ["butler_*"]
reassign_owned_to = "platform_admin"

[roles.platform_admin]
createrole = true
comment = "runs pgrecon"

[roles.postgres]
external = true
comment = "bootstrap superuser"

[roles.butlers_owner]
comment = "owns every butler schema; used by migrations only"

[roles.migrator]
login = true
member_of = ["butlers_owner"]

[roles.readers]
[roles.ops]
[roles.auditor]
[roles.butler_reporting_app]
login = true

[roles.butler_general_app]
login = true
inherit = true
connection_limit = 20
valid_until = "2027-01-01 00:00:00+00"
comment = "runtime role of general"
password = { env = "BUTLER_GENERAL_APP_PASSWORD" }
member_of = ["readers", { role = "ops", admin = true, inherit = false, set = true }]
search_path = ["general", "shared", "public"]
settings = { statement_timeout = "30s", work_mem = "64MB", Lock_Timeout = 5000, jit = false, random_page_cost = 1.5 }
database_settings = { search_path = ["general", "public"], temp_tablespaces = "fast, \"Slow Disk\"" }
"#;

const SCHEMAS: &str = r#"
[database]
name = "app"
comment = "the butlers"
grants = { PUBLIC = ["CONNECT", "TEMPORARY"], butler_general_app = ["CONNECT"] }
settings = { statement_timeout = "30s" }

[schemas.general]
owner = "butlers_owner"
comment = "general butler"
grants = { butler_general_app = ["USAGE"], butler_reporting_app = { privileges = ["usage"], with_grant_option = true } }
table_grants = { butler_general_app = ["SELECT", "INSERT", "UPDATE", "DELETE"] }
sequence_grants = { butler_general_app = ["USAGE", "SELECT"] }
function_grants = { PUBLIC = ["EXECUTE"] }
default_privileges_for = ["butlers_owner", "migrator"]

[[schemas.general.default_privileges]]
for_role = "migrator"
on = "tables"
grants = { auditor = ["SELECT"], butler_general_app = ["TRUNCATE"] }

[schemas.shared]
owner = "butlers_owner"
grants = { PUBLIC = [] , butler_general_app = ["ALL"] }
table_grants = { readers = ["all privileges"] }

[table_grants."general.notes"]
butler_reporting_app = ["SELECT"]

[sequence_grants."general.notes_id_seq"]
butler_general_app = ["USAGE"]

[function_grants."general.add( integer,integer )"]
PUBLIC = ["EXECUTE"]

[table_grants.'"general"."Odd.Name"']
butler_reporting_app = ["select"]
"#;

const TABLES: &str = r#"
[roles.butlers_owner]
[roles.butler_general_app]
[roles.auditor]
[roles.app]
[roles.platform]

[schemas.general]
owner = "butlers_owner"

[schemas.shared]
owner = "platform"
manage_tables = false

[schemas.audit]
manage_tables = true

[schemas.empty]
owner = "platform"

[tables."general.authors"]
primary_key = ["id"]
unique.authors_email_key = { columns = ["email"] }
[tables."general.authors".columns]
id = { type = "bigint", identity = "by_default" }
email = { type = "text", not_null = true }

[tables."general.notes"]
renamed_from = "old_notes"
comment = "the notes"
unlogged = true
row_level_security = true
force_row_level_security = true
grants = { butler_general_app = ["SELECT", "INSERT"] }
primary_key = ["id"]

[tables."general.notes".columns]
id         = { type = "bigint", identity = { kind = "always", start = 10, increment = 2, min_value = 1, max_value = 100000, cache = 5, cycle = true } }
body       = { type = " text ", not_null = true, collation = "C", comment = "the body" }
created_at = { type = "timestamptz", not_null = true, default = "now()" }
title      = { type = "varchar(200)", renamed_from = "subject", using = "subject::varchar(200)" }
total      = { type = "numeric(10,2)", generated = "price * qty" }
secret     = { type = "text", grants = { auditor = ["SELECT", "update"] } }
author_id  = { type = "bigint" }
slug       = { type = "text" }
room       = { type = "int" }
start_at   = { type = "timestamp" }
end_at     = { type = "timestamp" }
email      = { type = "text" }
price      = { type = "numeric" }
qty        = { type = "int" }
deleted_at = { type = "timestamptz" }

[tables."general.notes".unique]
notes_slug_key = { columns = ["slug"], include = ["title"], nulls_not_distinct = true, deferrable = true, initially_deferred = true, renamed_from = "notes_slug_uq", comment = "one slug" }

[tables."general.notes".foreign_keys]
notes_author_fkey = { columns = ["author_id"], references = "general.authors", on_delete = "cascade", on_update = "set_null", match = "full", deferrable = true, renamed_from = "fk_author", comment = "who" }
notes_author_email_fkey = { columns = ["email"], references = "general.authors", referenced_columns = ["email"] }

[tables."general.notes".checks]
notes_body_check = "length(body) > 0"
notes_total_check = { expression = " total >= 0 ", no_inherit = true, renamed_from = "total_check" }

[tables."general.notes".exclusions]
rooms_no_overlap = { method = "GiST", elements = [{ column = "room", operator = "=" }, { expression = "tsrange(start_at, end_at)", operator = "&&" }], where = "deleted_at IS NULL", deferrable = true }

[tables."general.notes".indexes]
notes_created_at_idx = { columns = ["created_at"] }
notes_full_idx = { columns = ["title", { column = "body", order = "desc", nulls = "first", opclass = "text_pattern_ops", collation = "C" }, { expression = "lower(email)", nulls = "first" }, { column = "slug", order = "desc", nulls = "last" }], unique = true, nulls_not_distinct = true, method = "btree", include = ["room"], where = "deleted_at IS NULL", with = { fillfactor = 70, deduplicate_items = false, Foo = "bar", ratio = 0.5 }, concurrently = true, renamed_from = "notes_old_idx", comment = "all of it" }
notes_email_uidx = { columns = ["email"], unique = true }

[tables."general.notes".policies]
own_rows = { command = "select", permissive = false, roles = ["butler_general_app", "auditor"], using = "owner = current_user" }
everyone = { with_check = "true" }

[tables."general.events"]
owner = "platform"
partition_by = "RANGE (created_at)"
primary_key = { columns = ["id", "created_at"], name = "events_pk", include = ["kind"], deferrable = true, initially_deferred = true, renamed_from = "events_pkey", comment = "the key" }
columns.id = { type = "bigint" }
columns.created_at = { type = "date" }
columns.kind = { type = "general.mood" }

[tables."general.events_2022_01"]
partition_of = { parent = "general.events", bound = "FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')" }
indexes.events_2022_01_kind_idx = { columns = ["kind"] }

[tables."audit.log"]
columns.id = { type = "bigint" }

[sequences."general.ticket_seq"]
type = "integer"
start = 5
increment = 5
min_value = 5
max_value = 1000
cache = 10
cycle = true
owned_by = "general.notes.id"
comment = "tickets"
grants = { app = ["USAGE", "SELECT"] }

[sequences."shared.plain_seq"]
owner = "app"

[enums."general.mood"]
values = ["sad", "ok", "happy"]
comment = "moods"

[enums."shared.level"]
values = ["low"]
owner = "app"

[domains."general.email"]
type = "text"
not_null = true
default = "'nobody@example.com'"
collation = "C"
checks = { email_check = "VALUE ~ '@'" }
comment = "an address"

[extensions.pgcrypto]
schema = "public"
version = "1.3"

[extensions.btree_gist]
schema = "shared"

[extensions.plpgsql]
"#;

fn load_example() -> Desired {
    load_files(&[
        (PathBuf::from("roles.toml"), ROLES.to_string()),
        (PathBuf::from("sub/schemas.toml"), SCHEMAS.to_string()),
    ])
    .unwrap_or_else(|e| panic!("{}", render(&e)))
}

fn acl(entries: &[(Grantee, &[Privilege], bool)]) -> Acl {
    let mut acl = Acl::default();
    for (grantee, privileges, grantable) in entries {
        for p in *privileges {
            acl.grant(grantee.clone(), *p, *grantable);
        }
    }
    acl
}

fn role(name: &str) -> Grantee {
    Grantee::Role(name.to_string())
}

fn scalar(s: &str) -> SettingValue {
    SettingValue::Scalar(s.to_string())
}

fn list(items: &[&str]) -> SettingValue {
    SettingValue::List(items.iter().map(|s| s.to_string()).collect())
}
