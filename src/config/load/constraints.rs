//! The constraints of `[tables."s.t"]`: `primary_key`, `unique`, `foreign_keys`, `checks`
//! and `exclusions`, and the keys they share.

use super::tables::{ForeignKeyDecl, TableDecl};
use super::*;
use crate::config::sql_check::SqlKind;
use crate::model::{Constraint, ConstraintKind, ExclusionElement, ForeignKeyAction, Table};

/// Keys shared by the constraints.
#[derive(Default)]
pub(super) struct Common {
    pub(super) deferrable: bool,
    pub(super) initially_deferred: Option<Span>,
    pub(super) renamed_from: Option<(String, Span)>,
    pub(super) comment: Option<String>,
    /// `not_valid` (checks and foreign keys only).
    pub(super) not_valid: bool,
}

impl Loader {
    pub(super) fn primary_key(
        &mut self,
        f: usize,
        key_span: Span,
        v: &V<'_>,
        tctx: &str,
        table: &mut Table,
        decl: &mut TableDecl,
    ) {
        let ctx = format!("the primary key of {tctx}");
        let mut common = Common::default();
        let mut name = None;
        let mut include = Vec::new();
        let columns = match v.get_ref() {
            DeValue::Array(_) => self.column_list(f, v, &ctx, &ctx, decl, false),
            DeValue::Table(t) => {
                let mut columns = None;
                for (key, value) in t.iter() {
                    let key_name = key.get_ref().as_ref();
                    let what = format!("`{key_name}` of {ctx}");
                    match key_name {
                        "columns" => columns = self.column_list(f, value, &what, &ctx, decl, false),
                        "include" => {
                            let refwhat = format!("the INCLUDE columns of {ctx}");
                            include = self
                                .column_list(f, value, &what, &refwhat, decl, true)
                                .unwrap_or_default();
                        }
                        "name" => name = self.name_value(f, value, &what, "constraint"),
                        _ => {
                            let known = fields_of::<raw::RawPrimaryKeyOptions>();
                            if !self.common(f, key_name, value, &what, known, &mut common) {
                                self.unknown_key(f, key, known, Some(&ctx));
                            }
                        }
                    }
                }
                if t.get("columns").is_none() {
                    self.missing_key(f, v, "columns", &ctx, "columns = [\"id\"]");
                }
                columns
            }
            _ => {
                self.wrong_type(
                    f,
                    v,
                    "a list of columns or a table",
                    &format!("`primary_key` of {tctx}"),
                    Some(
                        "write primary_key = [\"id\"] or primary_key = { columns = [\"id\"], \
                         name = \"notes_pkey\" }"
                            .into(),
                    ),
                );
                None
            }
        };
        let Some(columns) = columns else { return };
        let implicit = name.is_none();
        let (name, name_span) =
            name.unwrap_or_else(|| (default_pkey_name(&table.name.name), key_span));
        let kind = ConstraintKind::PrimaryKey { columns, include };
        self.check_deferral(&common, &ctx);
        decl.relation_names
            .push((name.clone(), name_span, "primary key", implicit));
        self.add_constraint(name, name_span, kind, common, &ctx, table, decl);
    }

    pub(super) fn unique(
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
        let ctx = format!("unique constraint `{name}` of {tctx}");
        self.check_identifier(&name, name_span, "constraint");
        let help = format!("write {} = {{ columns = [\"slug\"] }}", toml_key(&name));
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        let mut common = Common::default();
        let mut columns = None;
        let mut include = Vec::new();
        let mut nulls_not_distinct = false;
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "columns" => columns = self.column_list(f, value, &what, &ctx, decl, false),
                "include" => {
                    let refwhat = format!("the INCLUDE columns of {ctx}");
                    include = self
                        .column_list(f, value, &what, &refwhat, decl, true)
                        .unwrap_or_default();
                }
                "nulls_not_distinct" => {
                    nulls_not_distinct = self.boolean(f, value, &what).unwrap_or(false)
                }
                _ => {
                    let known = fields_of::<raw::RawUnique>();
                    if !self.common(f, key_name, value, &what, known, &mut common) {
                        self.unknown_key(f, key, known, Some(&ctx));
                    }
                }
            }
        }
        if t.get("columns").is_none() {
            self.missing_key(f, v, "columns", &ctx, "columns = [\"slug\"]");
        }
        let Some(columns) = columns else { return };
        self.check_deferral(&common, &ctx);
        decl.relation_names
            .push((name.clone(), name_span, "unique constraint", false));
        let kind = ConstraintKind::Unique {
            columns,
            include,
            nulls_not_distinct,
        };
        self.add_constraint(name, name_span, kind, common, &ctx, table, decl);
    }

    pub(super) fn foreign_key(
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
        let ctx = format!("foreign key `{name}` of {tctx}");
        self.check_identifier(&name, name_span, "constraint");
        let help = format!(
            "write {} = {{ columns = [\"author_id\"], references = \"general.authors\" }}",
            toml_key(&name)
        );
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        let mut common = Common::default();
        let mut columns = None;
        let mut columns_span = name_span;
        let mut references = None;
        let mut referenced = None;
        let mut on_delete = Some(ForeignKeyAction::NoAction);
        let mut on_update = Some(ForeignKeyAction::NoAction);
        let mut match_full = Some(false);
        let actions = fields_of::<raw::RawForeignKeyAction>();
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "columns" => {
                    columns_span = self.sp(f, value.span());
                    columns = self.column_list(f, value, &what, &ctx, decl, false);
                }
                "references" => references = self.table_reference(f, value, &what),
                "referenced_columns" => {
                    let span = self.sp(f, value.span());
                    referenced = self
                        .non_empty_names(f, value, &what, "column")
                        .map(|cols| (cols, span));
                }
                "on_delete" | "on_update" => {
                    let action = self
                        .choice(f, value, &what, "action", actions)
                        .map(fk_action);
                    if key_name == "on_delete" {
                        on_delete = action;
                    } else {
                        on_update = action;
                    }
                }
                "match"
                    if value
                        .get_ref()
                        .as_str()
                        .is_some_and(|m| m.eq_ignore_ascii_case("partial")) =>
                {
                    self.err(
                        Diag::new(
                            ErrorKind::InvalidValue,
                            format!("unknown match type `partial` in {what}"),
                        )
                        .at(self.sp(f, value.span()), "not implemented by PostgreSQL")
                        .help("PostgreSQL has no MATCH PARTIAL: write \"simple\" (the default) or \"full\""),
                    );
                }
                "match" => {
                    let choices = fields_of::<raw::RawForeignKeyMatch>();
                    match_full = self
                        .choice(f, value, &what, "match type", choices)
                        .map(|m| m == "full");
                }
                _ => {
                    let known = fields_of::<raw::RawForeignKey>();
                    if !self.common(f, key_name, value, &what, known, &mut common) {
                        self.unknown_key(f, key, known, Some(&ctx));
                    }
                }
            }
        }
        for (key, example) in [
            ("columns", "columns = [\"author_id\"]"),
            ("references", "references = \"general.authors\""),
        ] {
            if t.get(key).is_none() {
                self.missing_key(f, v, key, &ctx, example);
            }
        }
        self.check_deferral(&common, &ctx);
        let (Some(columns), Some((references, references_span, references_text))) =
            (columns, references)
        else {
            return;
        };
        // A bad action has been reported; the reference is still checked.
        let on_delete = on_delete.unwrap_or_default();
        let on_update = on_update.unwrap_or_default();
        let match_full = match_full.unwrap_or_default();
        decl.fks.push(ForeignKeyDecl {
            name: name.clone(),
            ctx: ctx.clone(),
            columns: columns.len(),
            columns_span,
            references: references.clone(),
            references_text,
            references_span,
            referenced: referenced.clone(),
        });
        let kind = ConstraintKind::ForeignKey {
            columns,
            references,
            // Filled in once every table is known (default: the primary key).
            referenced_columns: referenced
                .map(|(cols, _)| cols.into_iter().map(|(c, _)| c).collect())
                .unwrap_or_default(),
            on_update,
            on_delete,
            match_full,
        };
        self.add_constraint(name, name_span, kind, common, &ctx, table, decl);
    }

    pub(super) fn check_constraint(
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
        let ctx = format!("check `{name}` of {tctx}");
        self.check_identifier(&name, name_span, "constraint");
        let what = format!("the expression of {ctx}");
        let mut common = Common::default();
        let mut no_inherit = false;
        let expression = match v.get_ref() {
            DeValue::String(_) => self.sql_value(f, v, SqlKind::Expression, &what),
            DeValue::Table(t) => {
                let mut expression = None;
                for (key, value) in t.iter() {
                    let key_name = key.get_ref().as_ref();
                    let kwhat = format!("`{key_name}` of {ctx}");
                    match key_name {
                        "expression" => {
                            expression = self.sql_value(f, value, SqlKind::Expression, &what)
                        }
                        "no_inherit" => {
                            no_inherit = self.boolean(f, value, &kwhat).unwrap_or(false)
                        }
                        _ => {
                            let known = fields_of::<raw::RawCheckOptions>();
                            if !self.common(f, key_name, value, &kwhat, known, &mut common) {
                                self.unknown_key(f, key, known, Some(&ctx));
                            }
                        }
                    }
                }
                if t.get("expression").is_none() {
                    self.missing_key(
                        f,
                        v,
                        "expression",
                        &ctx,
                        "expression = \"length(body) > 0\"",
                    );
                }
                expression
            }
            _ => {
                self.wrong_type(
                    f,
                    v,
                    "a string or a table",
                    &ctx,
                    Some(format!(
                        "write {} = \"length(body) > 0\" or {{ expression = \"…\", no_inherit = true }}",
                        toml_key(&name)
                    )),
                );
                None
            }
        };
        let Some(expression) = expression else { return };
        let kind = ConstraintKind::Check {
            expression,
            no_inherit,
        };
        self.add_constraint(name, name_span, kind, common, &ctx, table, decl);
    }

    pub(super) fn exclusion(
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
        let ctx = format!("exclusion constraint `{name}` of {tctx}");
        self.check_identifier(&name, name_span, "constraint");
        let example = "{ method = \"gist\", elements = [{ column = \"room\", operator = \"=\" }, \
                       { expression = \"tsrange(start_at, end_at)\", operator = \"&&\" }] }";
        let help = format!("write {} = {example}", toml_key(&name));
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        let mut common = Common::default();
        let mut method = Some("btree".to_string());
        let mut elements = None;
        let mut predicate = None;
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            match key_name {
                "method" => method = self.method(f, value, &what),
                "elements" => elements = self.exclusion_elements(f, value, &ctx, decl),
                "where" => {
                    let what = format!("the WHERE predicate of {ctx}");
                    predicate = self.sql_value(f, value, SqlKind::Expression, &what);
                }
                _ => {
                    let known = fields_of::<raw::RawExclusion>();
                    if !self.common(f, key_name, value, &what, known, &mut common) {
                        self.unknown_key(f, key, known, Some(&ctx));
                    }
                }
            }
        }
        if t.get("elements").is_none() {
            let example = "elements = [{ column = \"room\", operator = \"=\" }]";
            self.missing_key(f, v, "elements", &ctx, example);
        }
        self.check_deferral(&common, &ctx);
        let (Some(method), Some(elements)) = (method, elements) else {
            return;
        };
        decl.relation_names
            .push((name.clone(), name_span, "exclusion constraint", false));
        let kind = ConstraintKind::Exclusion {
            method,
            elements,
            predicate,
        };
        self.add_constraint(name, name_span, kind, common, &ctx, table, decl);
    }

    fn exclusion_elements(
        &mut self,
        f: usize,
        v: &V<'_>,
        ctx: &str,
        decl: &mut TableDecl,
    ) -> Option<Vec<ExclusionElement>> {
        let what = format!("`elements` of {ctx}");
        let help = "write elements = [{ column = \"room\", operator = \"=\" }, { expression = \
                    \"tsrange(start_at, end_at)\", operator = \"&&\" }]";
        let items = self.array(f, v, &what, Some(help.into()))?;
        if items.is_empty() {
            self.empty_list(f, v, &what, "list at least one element");
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for item in items {
            let ectx = format!("an element of {ctx}");
            let Some(t) = self.table(f, item, &ectx, Some(help.into())) else {
                ok = false;
                continue;
            };
            let mut column = None;
            let mut expression = None;
            let mut operator = None;
            for (key, value) in t.iter() {
                let key_name = key.get_ref().as_ref();
                let kwhat = format!("`{key_name}` of {ectx}");
                match key_name {
                    "column" => {
                        if let Some((c, span)) = self.name_value(f, value, &kwhat, "column") {
                            decl.column_refs.push((c.clone(), span, ctx.to_string()));
                            column = Some(c);
                        }
                    }
                    "expression" => {
                        let what = format!("an element expression of {ctx}");
                        expression = self.sql_value(f, value, SqlKind::Expression, &what);
                    }
                    "operator" => {
                        operator = self
                            .string(f, value, &kwhat)
                            .map(|o| o.trim().to_string())
                            .filter(|o| !o.is_empty());
                        if operator.is_none() && matches!(value.get_ref(), DeValue::String(_)) {
                            self.empty_value(f, value, &kwhat, "write the operator, e.g. \"&&\"");
                        }
                    }
                    _ => {
                        let known = fields_of::<raw::RawExclusionElement>();
                        self.unknown_key(f, key, known, Some(&ectx));
                    }
                }
            }
            if t.get("operator").is_none() {
                self.missing_key(f, item, "operator", &ectx, "operator = \"=\"");
            }
            if !self.column_or_expression(f, item, t, &ectx) {
                ok = false;
                continue;
            }
            match operator {
                Some(operator) if column.is_some() || expression.is_some() => {
                    out.push(ExclusionElement {
                        column,
                        expression,
                        operator,
                    })
                }
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// Exactly one of `column` and `expression`; reports and returns false otherwise.
    pub(super) fn column_or_expression(
        &mut self,
        f: usize,
        item: &V<'_>,
        t: &DeTable<'_>,
        ctx: &str,
    ) -> bool {
        let column = t.iter().find(|(k, _)| k.get_ref().as_ref() == "column");
        let expression = t.iter().find(|(k, _)| k.get_ref().as_ref() == "expression");
        match (column, expression) {
            (Some(_), None) | (None, Some(_)) => true,
            (Some((ck, _)), Some((ek, _))) => {
                let c = self.sp(f, ck.span());
                let e = self.sp(f, ek.span());
                self.conflict(
                    (c, "column"),
                    (e, "expression"),
                    ctx,
                    "write either a column or an expression",
                );
                false
            }
            (None, None) => {
                self.err(
                    Diag::new(
                        ErrorKind::MissingKey,
                        format!("{ctx} names neither a column nor an expression"),
                    )
                    .at(
                        self.sp(f, item.span()),
                        "`column` or `expression` is required",
                    )
                    .help("add column = \"name\" or expression = \"lower(name)\""),
                );
                false
            }
        }
    }

    /// Records a constraint, unless its name is taken on the table.
    #[allow(clippy::too_many_arguments)]
    fn add_constraint(
        &mut self,
        name: String,
        span: Span,
        kind: ConstraintKind,
        common: Common,
        ctx: &str,
        table: &mut Table,
        decl: &mut TableDecl,
    ) {
        if let Some(first) = decl.constraint_names.get(&name).copied() {
            let (first, second) = ordered(first, span);
            let tctx = format!("table `{}`", decl.key_text);
            self.err(
                Diag::new(
                    ErrorKind::Duplicate,
                    format!("constraint `{name}` is declared twice on {tctx}"),
                )
                .at(second, "declared again here")
                .also(first, "first declared here")
                .help("constraint names are unique per table: rename one of them"),
            );
            return;
        }
        decl.constraint_names.insert(name.clone(), span);
        if let Some((old, old_span)) = &common.renamed_from {
            if *old == name {
                self.renamed_from_itself(*old_span, ctx);
            } else {
                decl.part_renames
                    .push((old.clone(), *old_span, ctx.to_string()));
            }
        }
        table.constraints.insert(
            name.clone(),
            Constraint {
                name,
                renamed_from: common.renamed_from.map(|(old, _)| old),
                kind,
                deferrable: common.deferrable,
                initially_deferred: common.initially_deferred.is_some(),
                validated: !common.not_valid,
                comment: common.comment,
            },
        );
    }

    /// `deferrable`, `initially_deferred`, `not_valid`, `renamed_from`, `comment` (when
    /// `known` has them); false when `key` is none of them.
    pub(super) fn common(
        &mut self,
        f: usize,
        key: &str,
        v: &V<'_>,
        what: &str,
        known: &[&str],
        c: &mut Common,
    ) -> bool {
        if !known.contains(&key) {
            return false;
        }
        match key {
            "deferrable" => c.deferrable = self.boolean(f, v, what).unwrap_or(false),
            "initially_deferred" => {
                if self.boolean(f, v, what).unwrap_or(false) {
                    c.initially_deferred = Some(self.sp(f, v.span()));
                }
            }
            "renamed_from" => {
                c.renamed_from = self.name_value(f, v, what, "previous name");
            }
            "comment" => c.comment = non_empty(self.string(f, v, what)),
            "not_valid" => c.not_valid = self.boolean(f, v, what).unwrap_or(false),
            _ => return false,
        }
        true
    }

    fn check_deferral(&mut self, c: &Common, ctx: &str) {
        if let (Some(span), false) = (c.initially_deferred, c.deferrable) {
            self.err(
                Diag::new(
                    ErrorKind::Conflict,
                    format!("{ctx} is initially deferred but not deferrable"),
                )
                .at(span, "requires deferrable = true")
                .help("PostgreSQL defers DEFERRABLE constraints only: add deferrable = true"),
            );
        }
    }

    /// Renamed constraints and indexes must not name one that is still declared.
    pub(super) fn check_part_renames(&mut self, tctx: &str, decl: &TableDecl) {
        let index_names: BTreeMap<&str, Span> = decl
            .relation_names
            .iter()
            .map(|(n, s, _, _)| (n.as_str(), *s))
            .collect();
        for (old, span, ctx) in &decl.part_renames {
            let still = decl
                .constraint_names
                .get(old)
                .or_else(|| index_names.get(old.as_str()));
            if let Some(other) = still {
                self.err(
                    Diag::new(
                        ErrorKind::Conflict,
                        format!("{ctx} is renamed from `{old}`, which is still declared on {tctx}"),
                    )
                    .at(*span, "the old name")
                    .also(*other, "still declared here")
                    .help(format!(
                        "a rename takes the old name away: remove `{old}`, or remove renamed_from"
                    )),
                );
            }
        }
    }
}

fn fk_action(word: &str) -> ForeignKeyAction {
    match word {
        "restrict" => ForeignKeyAction::Restrict,
        "cascade" => ForeignKeyAction::Cascade,
        "set_null" => ForeignKeyAction::SetNull,
        "set_default" => ForeignKeyAction::SetDefault,
        _ => ForeignKeyAction::NoAction,
    }
}

/// `<table>_pkey`, with the table name cut (at a character boundary) so that the whole
/// fits in 63 bytes, as PostgreSQL's `makeObjectName` does.
pub(crate) fn default_pkey_name(table: &str) -> String {
    const SUFFIX: &str = "_pkey";
    let mut cut = table.len().min(MAX_IDENTIFIER_BYTES - SUFFIX.len());
    while !table.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{SUFFIX}", &table[..cut])
}

#[cfg(test)]
mod tests {
    use super::default_pkey_name;

    #[test]
    fn primary_key_names_fit_in_63_bytes() {
        assert_eq!(default_pkey_name("notes"), "notes_pkey");
        let long = "a".repeat(70);
        let name = default_pkey_name(&long);
        assert_eq!(name.len(), 63);
        assert!(name.ends_with("_pkey"));
        // Cut at a character boundary: 19 three-byte characters fit in 58 bytes.
        let wide = "€".repeat(30);
        assert_eq!(default_pkey_name(&wide), format!("{}_pkey", "€".repeat(19)));
    }
}
