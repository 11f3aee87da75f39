//! `indexes` of `[tables."s.t"]`: keys, methods and storage parameters.

use super::constraints::Common;
use super::settings::valid_parameter_name;
use super::tables::TableDecl;
use super::*;
use crate::config::sql_check::SqlKind;
use crate::model::{Index, IndexKey, Table};

impl Loader {
    pub(super) fn index(
        &mut self,
        f: usize,
        k: &K<'_>,
        v: &V<'_>,
        tctx: &str,
        table: &mut Table,
        decl: &mut TableDecl,
    ) {
        let name = k.get_ref().to_string();
        let name_span = self.sp(f, k.span());
        let ctx = format!("index `{name}` of {tctx}");
        self.check_identifier(&name, name_span, "index");
        let help = format!(
            "write {} = {{ columns = [\"created_at\"] }}",
            toml_key(&name)
        );
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        let mut index = Index {
            name: name.clone(),
            renamed_from: None,
            unique: false,
            nulls_not_distinct: false,
            method: "btree".to_string(),
            keys: Vec::new(),
            include: Vec::new(),
            predicate: None,
            with: BTreeMap::new(),
            concurrently: false,
            valid: true,
            comment: None,
        };
        let mut common = Common::default();
        let mut keys = None;
        let mut ok = true;
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "columns" => keys = self.index_keys(f, value, &ctx, decl),
                "unique" => index.unique = self.boolean(f, value, &what).unwrap_or(false),
                "nulls_not_distinct" => {
                    index.nulls_not_distinct = self.boolean(f, value, &what).unwrap_or(false)
                }
                "method" => match self.method(f, value, &what) {
                    Some(m) => index.method = m,
                    None => ok = false,
                },
                "include" => {
                    let refwhat = format!("the INCLUDE columns of {ctx}");
                    index.include = self
                        .column_list(f, value, &what, &refwhat, decl, true)
                        .unwrap_or_default();
                }
                "where" => {
                    let what = format!("the WHERE predicate of {ctx}");
                    index.predicate = self.sql_value(f, value, SqlKind::Expression, &what);
                }
                "with" => index.with = self.storage_parameters(f, value, &what),
                "concurrently" => {
                    index.concurrently = self.boolean(f, value, &what).unwrap_or(false)
                }
                _ => {
                    let known = fields_of::<raw::RawIndex>();
                    if !self.common(f, key_name, value, &what, known, &mut common) {
                        self.unknown_key(f, key, known, Some(&ctx));
                    }
                }
            }
        }
        if t.get("columns").is_none() {
            self.missing_key(f, v, "columns", &ctx, "columns = [\"created_at\"]");
        }
        let (Some(keys), true) = (keys, ok) else {
            return;
        };
        index.keys = keys;
        index.comment = common.comment;
        if let Some((old, span)) = common.renamed_from {
            if old == name {
                self.renamed_from_itself(span, &ctx);
            } else {
                decl.part_renames.push((old.clone(), span, ctx.clone()));
                index.renamed_from = Some(old);
            }
        }
        decl.relation_names
            .push((name.clone(), name_span, "index", false));
        table.indexes.insert(name, index);
    }

    fn index_keys(
        &mut self,
        f: usize,
        v: &V<'_>,
        ctx: &str,
        decl: &mut TableDecl,
    ) -> Option<Vec<IndexKey>> {
        let what = format!("`columns` of {ctx}");
        let help = "write columns = [\"a\", { column = \"b\", order = \"desc\" }, { expression = \
                    \"lower(email)\" }]";
        let items = self.array(f, v, &what, Some(help.into()))?;
        if items.is_empty() {
            self.empty_list(f, v, &what, "list at least one column or expression");
            return None;
        }
        let mut keys = Vec::new();
        let mut ok = true;
        for item in items {
            let mut key = IndexKey {
                column: None,
                expression: None,
                opclass: None,
                collation: None,
                descending: false,
                nulls_first: None,
            };
            match item.get_ref() {
                DeValue::String(s) => {
                    let span = self.sp(f, item.span());
                    if self.check_identifier(s, span, "column") {
                        decl.column_refs
                            .push((s.to_string(), span, ctx.to_string()));
                        key.column = Some(s.to_string());
                        keys.push(key);
                    } else {
                        ok = false;
                    }
                }
                DeValue::Table(t) => {
                    let kctx = format!("a key of {ctx}");
                    let mut nulls = None;
                    for (k, value) in t.iter() {
                        let key_name = k.get_ref().as_ref();
                        let kwhat = format!("`{key_name}` of {kctx}");
                        match key_name {
                            "column" => {
                                if let Some((c, span)) = self.name_value(f, value, &kwhat, "column")
                                {
                                    decl.column_refs.push((c.clone(), span, ctx.to_string()));
                                    key.column = Some(c);
                                } else {
                                    ok = false;
                                }
                            }
                            "expression" => {
                                let what = format!("a key expression of {ctx}");
                                key.expression =
                                    self.sql_value(f, value, SqlKind::Expression, &what);
                                ok &= key.expression.is_some();
                            }
                            "order" => {
                                let choices = fields_of::<raw::RawSortOrder>();
                                match self.choice(f, value, &kwhat, "sort order", choices) {
                                    Some(o) => key.descending = o == "desc",
                                    None => ok = false,
                                }
                            }
                            "nulls" => {
                                let choices = fields_of::<raw::RawNullsOrder>();
                                match self.choice(f, value, &kwhat, "nulls order", choices) {
                                    Some(n) => nulls = Some(n == "first"),
                                    None => ok = false,
                                }
                            }
                            "opclass" => key.opclass = non_empty(self.string(f, value, &kwhat)),
                            "collation" => key.collation = non_empty(self.string(f, value, &kwhat)),
                            _ => {
                                let known = fields_of::<raw::RawIndexKeyOptions>();
                                self.unknown_key(f, k, known, Some(&kctx));
                            }
                        }
                    }
                    if !self.column_or_expression(f, item, t, &kctx) {
                        ok = false;
                        continue;
                    }
                    // Only a NULLS order that differs from the direction's default is kept
                    // (NULLS LAST for ASC, NULLS FIRST for DESC), as PostgreSQL stores it.
                    key.nulls_first = match nulls {
                        Some(first) if first != key.descending => Some(first),
                        _ => None,
                    };
                    keys.push(key);
                }
                _ => {
                    self.wrong_type(
                        f,
                        item,
                        "a column name or a table",
                        &format!("each key of {ctx}"),
                        Some(help.into()),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(keys)
    }

    fn storage_parameters(&mut self, f: usize, v: &V<'_>, what: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let help = "write a table of parameters, e.g. with = { fillfactor = 70 }";
        let Some(t) = self.table(f, v, what, Some(help.into())) else {
            return out;
        };
        for (key, value) in t.iter() {
            let raw_name = key.get_ref().as_ref();
            if !valid_parameter_name(raw_name) {
                self.err(
                    Diag::new(
                        ErrorKind::InvalidValue,
                        format!("invalid storage parameter name `{raw_name}` in {what}"),
                    )
                    .at(self.sp(f, key.span()), "not a parameter name")
                    .help("storage parameters are names such as fillfactor or fastupdate"),
                );
                continue;
            }
            let text = match value.get_ref() {
                DeValue::String(s) => s.to_string(),
                DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                    Ok(n) => n.to_string(),
                    Err(_) => i.as_str().to_string(),
                },
                DeValue::Float(x) => x.as_str().to_string(),
                DeValue::Boolean(b) => b.to_string(),
                _ => {
                    self.wrong_type(
                        f,
                        value,
                        "a string, a number or a boolean",
                        &format!("`{raw_name}` in {what}"),
                        Some(help.into()),
                    );
                    continue;
                }
            };
            out.insert(raw_name.to_ascii_lowercase(), text);
        }
        out
    }

    /// An index method name (`btree`, `gist`, …), lowercased as PostgreSQL folds it.
    pub(super) fn method(&mut self, f: usize, v: &V<'_>, what: &str) -> Option<String> {
        let text = self.string(f, v, what)?;
        let method = text.trim().to_ascii_lowercase();
        let valid = !method.is_empty()
            && method
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if valid {
            Some(method)
        } else {
            self.err(
                Diag::new(
                    ErrorKind::InvalidValue,
                    format!("invalid index method `{text}` in {what}"),
                )
                .at(self.sp(f, v.span()), "not a method name")
                .help("write an access method name: btree, hash, gin, gist, brin, spgist, …"),
            );
            None
        }
    }
}
