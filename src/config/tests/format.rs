//! The raw serde types: every field handled by the loader, the JSON Schema up to date.

use super::*;

#[test]
fn the_raw_serde_types_accept_the_example() {
    for text in [ROLES, SCHEMAS, TABLES] {
        let parsed: Result<raw::RawFile, _> = toml::from_str(text);
        assert!(parsed.is_ok(), "{parsed:?}");
    }
}

#[test]
fn every_raw_field_is_handled_by_the_loader() {
    // The loader's unknown-key check debug-asserts that it never calls a known key
    // unknown; a file using every field exercises each match arm.
    let text = r#"
[scope]
owned_roles = []
owned_schemas = []
owned_extensions = []
reassign_owned_to = "r"
[database]
name = "d"
comment = "c"
grants = {}
settings = {}
[roles.r]
external = false
login = false
superuser = false
createdb = false
createrole = false
replication = false
bypassrls = false
inherit = true
connection_limit = -1
valid_until = "infinity"
comment = "c"
password = { scram = "SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=" }
member_of = [{ role = "q", admin = false, inherit = true, set = true }]
search_path = []
settings = {}
database_settings = {}
confined_to = ["s"]
may_own = false
[roles.q]
[schemas.s]
owner = "r"
comment = "c"
grants = { r = { privileges = [], with_grant_option = true, grantable = [] } }
table_grants = {}
sequence_grants = {}
function_grants = {}
type_grants = {}
default_privileges_for = []
default_privileges = [{ for_role = "r", on = "functions", grants = {} }]
manage_tables = true
manage_all = true
[table_grants."s.other"]
[sequence_grants."s.other_seq"]
[function_grants."s.f()"]
[tables."s.t"]
renamed_from = "old_t"
owner = "r"
comment = "c"
unlogged = false
row_level_security = true
force_row_level_security = false
partition_by = "LIST (id)"
grants = {}
primary_key = { columns = ["id"], name = "t_pk", include = [], deferrable = false, initially_deferred = false, renamed_from = "t_pkey", comment = "c" }
columns.id = { type = "int", not_null = true, collation = "C", comment = "c", renamed_from = "ident", using = "ident::int", grants = {} }
columns.n = { type = "int", identity = { kind = "by_default", start = 1, increment = 1, min_value = 1, max_value = 9, cache = 1, cycle = false } }
columns.g = { type = "int", generated = "id * 2" }
columns.v = { type = "int", generated = "id * 3", virtual = true }
columns.nn = { type = "int", not_null_name = "nn_present" }
columns.d = { type = "int", default = "0" }
unique.t_d_key = { columns = ["d"], include = [], nulls_not_distinct = false, deferrable = false, initially_deferred = false, renamed_from = "t_d_uq", comment = "c" }
foreign_keys.t_fk = { columns = ["d"], references = "s.t", referenced_columns = ["d"], on_delete = "restrict", on_update = "set_default", match = "simple", deferrable = false, initially_deferred = false, not_valid = false, renamed_from = "t_fk_old", comment = "c" }
checks.t_check = { expression = "id > 0", no_inherit = false, not_valid = true, renamed_from = "t_check_old", comment = "c" }
exclusions.t_excl = { method = "gist", elements = [{ column = "id", operator = "=" }, { expression = "d + 1", operator = "=" }], where = "true", deferrable = false, initially_deferred = false, renamed_from = "t_excl_old", comment = "c" }
indexes.t_idx = { columns = [{ column = "id", order = "asc", nulls = "last", opclass = "int4_ops", collation = "C" }, { expression = "d + 1" }], unique = false, nulls_not_distinct = false, method = "btree", include = ["g"], where = "true", with = {}, concurrently = false, renamed_from = "t_idx_old", comment = "c" }
policies.t_policy = { command = "update", permissive = true, roles = ["r"], using = "true", with_check = "true", comment = "c" }
triggers.t_trigger = { enabled = "disabled", comment = "c" }
[tables."s.t_1"]
partition_of = { parent = "s.t", bound = "FOR VALUES IN (1)" }
[tables."s.base"]
[tables."s.heir"]
inherits = ["s.base"]
[sequences."s.q"]
type = "smallint"
start = 1
increment = 1
min_value = 1
max_value = 9
cache = 1
cycle = false
owned_by = "s.t.id"
owner = "r"
comment = "c"
grants = {}
[enums."s.e"]
values = ["a"]
owner = "r"
comment = "c"
grants = {}
[domains."s.d"]
type = "text"
not_null = false
default = "''"
collation = "C"
checks = {}
owner = "r"
comment = "c"
grants = {}
[extensions.x]
schema = "s"
version = "1"
comment = "c"
[types."s.ct"]
owner = "r"
comment = "c"
grants = { q = ["USAGE"] }
[collations."s.co"]
owner = "r"
comment = "c"
[functions."s.g(integer)"]
owner = "r"
comment = "c"
grants = { q = ["EXECUTE"] }
[views."s.v"]
owner = "r"
comment = "c"
grants = {}
column_comments = { a = "c" }
[views."s.m"]
index_comments = { m_a = "c" }
"#;
    let sql = "CREATE TYPE s.ct AS (a int); CREATE COLLATION s.co (locale = 'C');";
    let fields = [
        raw::fields_of::<raw::RawFile>(),
        raw::fields_of::<raw::RawScope>(),
        raw::fields_of::<raw::RawDatabase>(),
        raw::fields_of::<raw::RawRole>(),
        raw::fields_of::<raw::RawMembership>(),
        raw::fields_of::<raw::RawSchema>(),
        raw::fields_of::<raw::RawDefaultPrivileges>(),
        raw::fields_of::<raw::RawDetailedGrant>(),
        raw::fields_of::<raw::RawTable>(),
        raw::fields_of::<raw::RawPartitionOf>(),
        raw::fields_of::<raw::RawColumn>(),
        raw::fields_of::<raw::RawIdentityOptions>(),
        raw::fields_of::<raw::RawPrimaryKeyOptions>(),
        raw::fields_of::<raw::RawUnique>(),
        raw::fields_of::<raw::RawForeignKey>(),
        raw::fields_of::<raw::RawCheckOptions>(),
        raw::fields_of::<raw::RawExclusion>(),
        raw::fields_of::<raw::RawExclusionElement>(),
        raw::fields_of::<raw::RawIndex>(),
        raw::fields_of::<raw::RawIndexKeyOptions>(),
        raw::fields_of::<raw::RawPolicy>(),
        raw::fields_of::<raw::RawTrigger>(),
        raw::fields_of::<raw::RawSequence>(),
        raw::fields_of::<raw::RawEnum>(),
        raw::fields_of::<raw::RawDomain>(),
        raw::fields_of::<raw::RawExtension>(),
        raw::fields_of::<raw::RawType>(),
        raw::fields_of::<raw::RawCollation>(),
        raw::fields_of::<raw::RawFunction>(),
        raw::fields_of::<raw::RawView>(),
    ];
    for field in fields.iter().flat_map(|f| f.iter()) {
        assert!(
            text.contains(&format!("{field} ="))
                || text.contains(&format!("{field}."))
                || text.contains(&format!("[{field}]")),
            "the test file does not use `{field}`"
        );
    }
    let sql = format!("{sql}\nCREATE FUNCTION s.g(int4) RETURNS int LANGUAGE sql AS 'SELECT 1'");
    let triggers =
        "CREATE TRIGGER t_trigger AFTER INSERT ON s.t FOR EACH ROW EXECUTE FUNCTION s.f()";
    let desired = load_files(&[
        (PathBuf::from("all.toml"), text.into()),
        (PathBuf::from("s/types.sql"), sql),
        (PathBuf::from("triggers.sql"), triggers.into()),
        (
            PathBuf::from("v.sql"),
            "CREATE VIEW s.v AS SELECT 1 AS a".into(),
        ),
        (
            PathBuf::from("m.sql"),
            "CREATE MATERIALIZED VIEW s.m AS SELECT 1 AS a; CREATE INDEX m_a ON s.m (a)".into(),
        ),
    ])
    .unwrap_or_else(|e| panic!("{}", render(&e)));
    let trigger =
        &desired.catalog.tables[&crate::model::QualifiedName::new("s", "t")].triggers["t_trigger"];
    assert_eq!(trigger.enabled, crate::model::TriggerEnabled::Disabled);
    assert_eq!(trigger.comment.as_deref(), Some("c"));
    assert_eq!(desired.catalog.roles.len(), 2);
    assert_eq!(
        desired.catalog.views[&crate::model::QualifiedName::new("s", "v")]
            .column_comments
            .len(),
        1
    );
    assert_eq!(
        desired.catalog.views[&crate::model::QualifiedName::new("s", "m")].index_comments["m_a"],
        "c"
    );
    assert!(desired.catalog.default_privileges.is_empty());
    assert_eq!(desired.catalog.tables.len(), 4);
    assert_eq!(
        desired.catalog.tables[&crate::model::QualifiedName::new("s", "heir")].inherits,
        [crate::model::QualifiedName::new("s", "base")]
    );
    let g = &desired
        .catalog
        .functions
        .values()
        .find(|f| f.id.name == "g")
        .unwrap();
    assert_eq!(
        (g.id.to_string().as_str(), g.owner.as_deref()),
        ("s.g(integer)", Some("r"))
    );
    assert!(g.definition.is_some());
}

#[test]
fn json_schema_is_up_to_date() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/desired-state.schema.json");
    let expected = serde_json::to_string_pretty(&json_schema()).unwrap() + "\n";
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "schemas/desired-state.schema.json is stale: run UPDATE_SCHEMA=1 cargo test --lib \
         config::tests::json_schema_is_up_to_date"
    );
}
