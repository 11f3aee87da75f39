//! `[sequences."s.n"]`, and the sequence options that identity columns share.

use super::tables::TABLES_IN_MANAGED_SCHEMAS;
use super::*;
use crate::model::{Sequence, SequenceOptions};

pub(super) struct SequenceDecl {
    pub(super) key: Span,
    pub(super) acl: Acl,
    pub(super) owned_by: Option<(QualifiedName, String, Span)>,
}

impl Loader {
    pub(super) fn walk_sequence(&mut self, f: usize, k: &K<'_>, v: &V<'_>) {
        let key_text = k.get_ref().to_string();
        let key_span = self.sp(f, k.span());
        let Some(name) = self.qualified_key(f, k, "sequence", "sequences", "general.ticket_seq")
        else {
            return;
        };
        let ctx = format!("sequence `{key_text}`");
        let help = format!("declare it as a table: [sequences.{}]", toml_key(&key_text));
        let Some(t) = self.table(f, v, &ctx, Some(help)) else {
            return;
        };
        self.schema_refs.push((
            name.schema.clone(),
            key_span,
            ctx.clone(),
            TABLES_IN_MANAGED_SCHEMAS,
        ));
        let mut seq = Sequence {
            name: name.clone(),
            owner: None,
            data_type: "bigint".to_string(),
            options: SequenceOptions::default(),
            owned_by: None,
            comment: None,
        };
        let mut decl = SequenceDecl {
            key: key_span,
            acl: Acl::default(),
            owned_by: None,
        };
        let mut rec = Rec::default();
        let mut spans = BTreeMap::new();
        for (key, value) in t.iter() {
            let key_name = key.get_ref().as_ref();
            let what = format!("`{key_name}` of {ctx}");
            if self.sequence_option(f, key_name, value, &what, &mut seq.options, &mut spans) {
                continue;
            }
            match key_name {
                "type" => {
                    let alias = value.get_ref().as_str().and_then(|t| {
                        match t.to_ascii_lowercase().as_str() {
                            "int8" => Some("bigint"),
                            "int" | "int4" => Some("integer"),
                            "int2" => Some("smallint"),
                            _ => None,
                        }
                    });
                    if let Some(name) = alias {
                        let text = value.get_ref().as_str().unwrap_or_default();
                        self.err(
                            Diag::new(
                                ErrorKind::InvalidValue,
                                format!("unknown sequence type `{text}` in {what}"),
                            )
                            .at(self.sp(f, value.span()), format!("write `{name}`"))
                            .help(format!(
                                "write the type's standard name, `{name}`, as PostgreSQL prints it"
                            )),
                        );
                        continue;
                    }
                    let choices = fields_of::<raw::RawSequenceType>();
                    if let Some(ty) = self.choice(f, value, &what, "sequence type", choices) {
                        seq.data_type = ty.to_string();
                    }
                }
                "owned_by" => {
                    if let Some(text) = self.string(f, value, &what) {
                        let span = self.sp(f, value.span());
                        match crate::sql::split_qualified(&text).as_deref() {
                            Some([schema, table, column]) => {
                                let table = QualifiedName::new(schema.clone(), table.clone());
                                decl.owned_by = Some((table.clone(), column.clone(), span));
                                seq.owned_by = Some((table, column.clone()));
                            }
                            _ => self.err(
                                Diag::new(
                                    ErrorKind::InvalidValue,
                                    format!("malformed {what}"),
                                )
                                .at(span, "expected \"schema.table.column\"")
                                .help(
                                    "write owned_by = \"general.notes.id\" (double-quote a part \
                                     that contains a dot)",
                                ),
                            ),
                        }
                    }
                }
                "owner" => seq.owner = self.owner_ref(f, value, &what),
                "comment" => seq.comment = non_empty(self.string(f, value, &what)),
                "grants" => {
                    decl.acl = self.grants(
                        f,
                        value,
                        ObjectKind::Sequence,
                        GrantSite::Relation(name.clone()),
                        &format!("the grants of {ctx}"),
                        &mut rec,
                    )
                }
                _ => self.unknown_key(f, key, fields_of::<raw::RawSequence>(), Some(&ctx)),
            }
        }
        let data_type = seq.data_type.clone();
        self.check_sequence_options(&seq.options, &spans, Some(&data_type), &ctx);
        if let Some(first) = self.rel.sequences.get(&name).map(|d| d.key) {
            let header = format!("[sequences.{}]", toml_key(&key_text));
            self.duplicate(key_span, first, &ctx, &header);
            return;
        }
        self.commit(rec);
        self.rel.sequences.insert(name.clone(), decl);
        self.catalog.sequences.insert(name, seq);
    }

    /// Handles one `start`/`increment`/`min_value`/`max_value`/`cache`/`cycle` key;
    /// false when `key` is none of them.
    pub(super) fn sequence_option(
        &mut self,
        f: usize,
        key: &str,
        v: &V<'_>,
        what: &str,
        o: &mut SequenceOptions,
        spans: &mut BTreeMap<&'static str, Span>,
    ) -> bool {
        let (name, slot) = match key {
            "start" => ("start", &mut o.start),
            "increment" => ("increment", &mut o.increment),
            "min_value" => ("min_value", &mut o.min_value),
            "max_value" => ("max_value", &mut o.max_value),
            "cache" => ("cache", &mut o.cache),
            "cycle" => {
                o.cycle = self.boolean(f, v, what).unwrap_or(false);
                return true;
            }
            _ => return false,
        };
        *slot = self.integer(f, v, what);
        if slot.is_some() {
            spans.insert(name, self.sp(f, v.span()));
        }
        true
    }

    /// What PostgreSQL would reject in `CREATE SEQUENCE`.
    pub(super) fn check_sequence_options(
        &mut self,
        o: &SequenceOptions,
        spans: &BTreeMap<&'static str, Span>,
        data_type: Option<&str>,
        ctx: &str,
    ) {
        let mut problem = |key: &'static str, label: String, help: &str| {
            if let Some(span) = spans.get(key) {
                self.diags.push(
                    Diag::new(
                        ErrorKind::InvalidValue,
                        format!("`{key}` of {ctx} is out of range"),
                    )
                    .at(*span, label)
                    .help(help.to_string()),
                );
            }
        };
        if o.increment == Some(0) {
            problem(
                "increment",
                "must not be zero".into(),
                "use a positive increment, or a negative one for a descending sequence",
            );
        }
        if o.cache.is_some_and(|c| c < 1) {
            problem(
                "cache",
                "must be at least 1".into(),
                "write 1 (the default: no caching) or more",
            );
        }
        if let Some(ty) = data_type {
            let (lo, hi) = match ty {
                "smallint" => (i16::MIN as i64, i16::MAX as i64),
                "integer" => (i32::MIN as i64, i32::MAX as i64),
                _ => (i64::MIN, i64::MAX),
            };
            for (key, value) in [("min_value", o.min_value), ("max_value", o.max_value)] {
                if value.is_some_and(|x| x < lo || x > hi) {
                    problem(
                        key,
                        format!("outside the range of {ty} ({lo} to {hi})"),
                        "choose a value that fits the sequence's type, or a wider `type`",
                    );
                }
            }
        }
        if let (Some(min), Some(max)) = (o.min_value, o.max_value)
            && min >= max
        {
            problem(
                "max_value",
                format!("not greater than min_value ({min})"),
                "max_value must be greater than min_value",
            );
            return;
        }
        if let Some(start) = o.start {
            if o.min_value.is_some_and(|min| start < min) {
                problem(
                    "start",
                    "below min_value".into(),
                    "start must be between min_value and max_value",
                );
            } else if o.max_value.is_some_and(|max| start > max) {
                problem(
                    "start",
                    "above max_value".into(),
                    "start must be between min_value and max_value",
                );
            }
        }
    }
}
