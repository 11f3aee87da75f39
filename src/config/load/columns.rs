//! `columns` of `[tables."s.t"]`: types, defaults, generated and identity columns, and
//! the column lists that keys, indexes and constraints name.

use super::grants::GrantOn;
use super::tables::TableDecl;
use super::*;
use crate::config::sql_check::SqlKind;
use crate::model::{Column, Identity, IdentityKind, SequenceOptions, Table};

impl Loader {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn walk_columns(
        &mut self,
        f: usize,
        v: &V<'_>,
        tname: &QualifiedName,
        tctx: &str,
        table: &mut Table,
        decl: &mut TableDecl,
        rec: &mut Rec,
    ) {
        let what = format!("the columns of {tctx}");
        let help = format!(
            "write one key per column under [tables.{}.columns], e.g. id = {{ type = \"bigint\" }}",
            toml_key(&decl.key_text)
        );
        let Some(t) = self.table(f, v, &what, Some(help)) else {
            return;
        };
        // The parsed table is sorted by name: the order written is the order of the keys
        // in the file.
        let mut entries: Vec<_> = t.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        let mut renames: Vec<(String, Span, String)> = Vec::new();
        for (k, value) in entries {
            let col = k.get_ref().to_string();
            let col_span = self.sp(f, k.span());
            self.check_identifier(&col, col_span, "column");
            let ctx = format!("column `{col}` of {tctx}");
            let mut column = Column::new(col.clone(), "");
            decl.columns.push((col.clone(), col_span));
            let help = format!("write {} = {{ type = \"text\" }}", toml_key(&col));
            let Some(ct) = self.table(f, value, &ctx, Some(help)) else {
                table.columns.push(column);
                continue;
            };
            let mut default_key = None;
            let mut identity_key = None;
            let mut generated_key = None;
            let mut virtual_key = false;
            for (key, cv) in ct.iter() {
                let key_name = key.get_ref().as_ref();
                let kspan = self.sp(f, key.span());
                let what = format!("`{key_name}` of {ctx}");
                match key_name {
                    "type" => {
                        let what = format!("the type of {ctx}");
                        column.type_name = self
                            .sql_value(f, cv, SqlKind::Type, &what)
                            .unwrap_or_default();
                        self.check_not_serial(f, cv, &column.type_name, &ctx);
                    }
                    "not_null" => column.not_null = self.boolean(f, cv, &what).unwrap_or(false),
                    "default" => {
                        let what = format!("the default of {ctx}");
                        column.default = self.sql_value(f, cv, SqlKind::Expression, &what);
                        default_key = Some(kspan);
                    }
                    "identity" => {
                        column.identity = self.identity(f, cv, &ctx);
                        identity_key = Some(kspan);
                    }
                    "generated" => {
                        let what = format!("the generation expression of {ctx}");
                        column.generated = self.sql_value(f, cv, SqlKind::Expression, &what);
                        generated_key = Some(kspan);
                    }
                    "not_null_name" => {
                        column.not_null_name = non_empty(self.string(f, cv, &what));
                    }
                    "virtual" => {
                        column.generated_virtual = self.boolean(f, cv, &what).unwrap_or(false);
                        virtual_key = true;
                    }
                    "collation" => column.collation = non_empty(self.string(f, cv, &what)),
                    "comment" => column.comment = non_empty(self.string(f, cv, &what)),
                    "renamed_from" => {
                        if let Some((old, span)) = self.name_value(f, cv, &what, "column") {
                            if old == col {
                                self.renamed_from_itself(span, &ctx);
                            } else {
                                column.renamed_from = Some(old.clone());
                                renames.push((old, span, col.clone()));
                            }
                        }
                    }
                    "using" => {
                        let what = format!("the USING expression of {ctx}");
                        column.using = self.sql_value(f, cv, SqlKind::Expression, &what);
                    }
                    "grants" => {
                        column.acl = self.grants(
                            f,
                            cv,
                            GrantOn::Column,
                            GrantSite::Column(tname.clone(), col.clone()),
                            &format!("the grants of {ctx}"),
                            rec,
                        )
                    }
                    _ => self.unknown_key(f, key, fields_of::<raw::RawColumn>(), Some(&ctx)),
                }
            }
            if ct.get("type").is_none() {
                self.missing_key(f, value, "type", &ctx, "type = \"text\"");
            }
            // `virtual` says how a generated column is computed; alone it means nothing.
            if virtual_key && generated_key.is_none() {
                self.missing_key(f, value, "generated", &ctx, "generated = \"<expression>\"");
            }
            let pairs = [
                (
                    identity_key,
                    "identity",
                    default_key,
                    "default",
                    "an identity column takes its values from its own sequence: remove `default`",
                ),
                (
                    generated_key,
                    "generated",
                    default_key,
                    "default",
                    "a generated column is computed from its expression: remove `default`",
                ),
                (
                    generated_key,
                    "generated",
                    identity_key,
                    "identity",
                    "a column is either generated or an identity column: remove one of the two",
                ),
            ];
            for (a, a_name, b, b_name, help) in pairs {
                if let (Some(a), Some(b)) = (a, b) {
                    self.conflict((a, a_name), (b, b_name), &ctx, help);
                }
            }
            if column.not_null_name.is_some() {
                column.not_null = true;
            }
            if column.identity.is_some() {
                // PostgreSQL makes identity columns NOT NULL.
                column.not_null = true;
            }
            table.columns.push(column);
        }
        // `renamed_from` must name a column that no longer exists, once.
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for (old, span, col) in &renames {
            if let Some((_, other)) = decl.columns.iter().find(|(c, _)| c == old) {
                self.err(
                    Diag::new(
                        ErrorKind::Conflict,
                        format!(
                            "column `{col}` of {tctx} is renamed from `{old}`, which is still declared"
                        ),
                    )
                    .at(*span, "the old name")
                    .also(*other, "still declared here")
                    .help(format!(
                        "a rename takes the old column away: remove `{old}`, or remove renamed_from"
                    )),
                );
            } else if let Some(first) = seen.get(old.as_str()) {
                self.err(
                    Diag::new(
                        ErrorKind::Duplicate,
                        format!("two columns of {tctx} are renamed from `{old}`"),
                    )
                    .at(*span, "renamed from it again here")
                    .also(*first, "first renamed from it here")
                    .help("a column can be renamed into one column only: keep one renamed_from"),
                );
            } else {
                seen.insert(old, *span);
            }
        }
    }

    /// `serial` and friends are a shorthand of `CREATE TABLE`, not types: PostgreSQL
    /// stores an integer column with a sequence, so the declaration would never match.
    fn check_not_serial(&mut self, f: usize, v: &V<'_>, type_name: &str, ctx: &str) {
        let integer = match type_name.to_ascii_lowercase().as_str() {
            "serial" | "serial4" => "integer",
            "bigserial" | "serial8" => "bigint",
            "smallserial" | "serial2" => "smallint",
            _ => return,
        };
        self.err(
            Diag::new(
                ErrorKind::InvalidValue,
                format!("the type of {ctx} is `{type_name}`, which PostgreSQL does not store"),
            )
            .at(self.sp(f, v.span()), "a CREATE TABLE shorthand")
            .help(format!(
                "write type = \"{integer}\" with identity = \"by_default\" (or a sequence owned \
                 by the column and default = \"nextval('…')\")"
            )),
        );
    }

    pub(super) fn identity(&mut self, f: usize, v: &V<'_>, ctx: &str) -> Option<Identity> {
        let what = format!("`identity` of {ctx}");
        let kinds = fields_of::<raw::RawIdentityKind>();
        let kind_of = |k: &str| {
            if k == "always" {
                IdentityKind::Always
            } else {
                IdentityKind::ByDefault
            }
        };
        match v.get_ref() {
            DeValue::String(_) => {
                let kind = self.choice(f, v, &what, "identity kind", kinds)?;
                Some(Identity {
                    kind: kind_of(kind),
                    options: SequenceOptions::default(),
                })
            }
            DeValue::Table(t) => {
                let ictx = format!("the identity of {ctx}");
                let mut kind = None;
                let mut options = SequenceOptions::default();
                let mut spans = BTreeMap::new();
                for (key, value) in t.iter() {
                    let key_name = key.get_ref().as_ref();
                    let what = format!("`{key_name}` of {ictx}");
                    if key_name == "kind" {
                        kind = self.choice(f, value, &what, "identity kind", kinds);
                    } else if !self.sequence_option(
                        f,
                        key_name,
                        value,
                        &what,
                        &mut options,
                        &mut spans,
                    ) {
                        let known = fields_of::<raw::RawIdentityOptions>();
                        self.unknown_key(f, key, known, Some(&ictx));
                    }
                }
                if t.get("kind").is_none() {
                    self.missing_key(f, v, "kind", &ictx, "kind = \"always\"");
                }
                self.check_sequence_options(&options, &spans, None, &ictx);
                Some(Identity {
                    kind: kind_of(kind?),
                    options,
                })
            }
            _ => {
                self.wrong_type(
                    f,
                    v,
                    "a string or a table",
                    &what,
                    Some(
                        "write identity = \"always\", \"by_default\" or { kind = \"always\", \
                         start = 1 }"
                            .into(),
                    ),
                );
                None
            }
        }
    }

    /// A list of column names of this table (recorded to be checked), without repeats.
    pub(super) fn column_list(
        &mut self,
        f: usize,
        v: &V<'_>,
        what: &str,
        refwhat: &str,
        decl: &mut TableDecl,
        allow_empty: bool,
    ) -> Option<Vec<String>> {
        let items = if allow_empty {
            self.names(f, v, what, "column")?
        } else {
            self.non_empty_names(f, v, what, "column")?
        };
        let mut out = Vec::new();
        for (name, span) in items {
            decl.column_refs
                .push((name.clone(), span, refwhat.to_string()));
            out.push(name);
        }
        Some(out)
    }
}
