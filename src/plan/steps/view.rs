//! Views and materialized views: create (with owner and comments), `CREATE OR REPLACE`,
//! drop, refresh. A view requires the relations and columns it reads (the server's
//! dependencies, read by introspection and by canon), so it is created after them and
//! dropped before them; it creates its relation name and its columns.

use crate::ddl::view::{ViewSql, create_view as create_view_sql};
use crate::diff::view::ViewChange;
use crate::model::*;
use crate::plan::builder::{Builder, ident, qn};
use crate::plan::{Action, HazardKind, Key, Node, phase};

pub(super) fn node_for(change: &ViewChange) -> Node {
    match change {
        ViewChange::Create {
            view,
            owner,
            reason,
        } => create_view(view, owner.as_ref(), reason.as_deref()),
        ViewChange::Replace { from, to } => replace_view(from, to),
        ViewChange::Drop {
            view,
            pruned,
            reason,
        } => drop_view(view, *pruned, reason.as_deref()),
        ViewChange::Refresh { name } => refresh(name),
        ViewChange::CreateIndex {
            view,
            name,
            definition,
        } => create_index(view, name, definition),
        ViewChange::DropIndex {
            view,
            name,
            definition,
        } => drop_index(view, name, definition),
    }
}

fn what(v: &View) -> &'static str {
    v.kind().describe()
}

/// What the view reads and calls, as ordering keys.
fn reads(b: &mut Builder, v: &View) {
    b.requires.push(Key::Schema(v.name.schema.clone()));
    for (relation, column) in &v.reads {
        b.requires.push(Key::Relation(relation.clone()));
        if let Some(c) = column {
            b.requires.push(Key::Column(relation.clone(), c.clone()));
        }
    }
    for f in &v.calls {
        b.requires.push(Key::Function(f.clone()));
    }
    // A type it returns: a replaced enum is replaced after the drop, before the create.
    for c in &v.columns {
        b.require_type(&c.type_name);
    }
}

fn creates(b: &mut Builder, v: &View) {
    b.creates.push(Key::Relation(v.name.clone()));
    for c in &v.columns {
        b.creates.push(Key::Column(v.name.clone(), c.name.clone()));
    }
}

fn create_view(v: &View, owner: Option<&String>, reason: Option<&str>) -> Node {
    let mut b = Builder::default();
    b.sql(create_view_sql(&ViewSql {
        name: &v.name,
        view: v,
        definition: &v.definition,
        or_replace: false,
        column_list: false,
        no_data: false,
    }));
    if let Some(r) = reason {
        b.details.push(format!("re-created: {r}"));
    }
    details(&mut b, v);
    if v.materialized && v.with_data {
        b.hazard(
            HazardKind::RewritesTable,
            format!(
                "runs the query of {} and stores its rows: time and disk proportional to \
                 what it reads",
                v.name
            ),
        );
    }
    for (name, definition) in &v.indexes {
        b.sql(definition.clone());
        b.creates
            .push(Key::Constraint(v.name.clone(), name.clone()));
    }
    if !v.indexes.is_empty() {
        let names: Vec<String> = v.indexes.keys().map(|n| ident(n)).collect();
        b.details.push(format!("indexes: {}", names.join(", ")));
        if v.with_data {
            b.hazard(
                HazardKind::IndexBuild,
                format!("builds the indexes of {}", v.name),
            );
        }
    }
    let object = v.object_ref();
    b.owned_by(&object, owner);
    b.comment(&object, v.comment.as_ref());
    for (c, text) in &v.column_comments {
        let column = ObjectRef::table_part(TablePart::Column, &v.name, c);
        b.comment(&column, Some(text));
    }
    for (i, text) in &v.index_comments {
        let index = ObjectRef::table_part(TablePart::Index, &v.name, i);
        b.comment(&index, Some(text));
    }
    reads(&mut b, v);
    creates(&mut b, v);
    let verb = if reason.is_some() {
        "re-create"
    } else {
        "create"
    };
    b.finish(
        phase::VIEW,
        Action::Create,
        object,
        format!("{verb} {} {}", what(v), v.name),
    )
}

fn details(b: &mut Builder, v: &View) {
    let columns: Vec<String> = v.columns.iter().map(|c| ident(&c.name)).collect();
    if !columns.is_empty() {
        b.details.push(format!("columns: {}", columns.join(", ")));
    }
    let options = crate::ddl::view::options(v);
    if !options.is_empty() {
        b.details.push(format!("options: {}", options.join(", ")));
    }
    if v.materialized && !v.with_data {
        b.details
            .push("WITH NO DATA: not populated until refreshed".into());
    }
}

fn replace_view(from: &View, to: &View) -> Node {
    let mut b = Builder::default();
    b.sql(create_view_sql(&ViewSql {
        name: &to.name,
        view: to,
        definition: &to.definition,
        or_replace: true,
        column_list: false,
        no_data: false,
    }));
    if from.definition != to.definition {
        b.details.push("definition changes".into());
    }
    let added: Vec<String> = to.columns[from.columns.len().min(to.columns.len())..]
        .iter()
        .map(|c| ident(&c.name))
        .collect();
    if !added.is_empty() {
        b.details
            .push(format!("columns added: {}", added.join(", ")));
    }
    let (was, is) = (
        crate::ddl::view::options(from),
        crate::ddl::view::options(to),
    );
    if was != is {
        let shown = |o: &[String]| {
            if o.is_empty() {
                "(none)".to_string()
            } else {
                o.join(", ")
            }
        };
        b.details
            .push(format!("options: {} → {}", shown(&was), shown(&is)));
    }
    reads(&mut b, to);
    b.requires.push(Key::Relation(to.name.clone()));
    for c in &to.columns[from.columns.len().min(to.columns.len())..] {
        b.creates.push(Key::Column(to.name.clone(), c.name.clone()));
    }
    b.finish(
        phase::VIEW,
        Action::Alter,
        to.object_ref(),
        format!("replace view {}", to.name),
    )
}

fn drop_view(v: &View, pruned: bool, reason: Option<&str>) -> Node {
    let mut b = Builder::default();
    let keyword = if v.materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    };
    b.sql(format!("DROP {keyword} {}", qn(&v.name)));
    if let Some(r) = reason {
        b.details.push(format!("re-created next: {r}"));
    }
    if pruned {
        b.hazard(
            HazardKind::DeletesData,
            format!("drops {} {}: what reads it stops working", what(v), v.name),
        );
    } else if v.materialized {
        b.hazard(
            HazardKind::AccessExclusiveLock,
            format!(
                "{} is unavailable until it is created again and its rows recomputed",
                v.name
            ),
        );
    }
    reads(&mut b, v);
    b.drops.push(Key::Relation(v.name.clone()));
    for c in &v.columns {
        b.drops.push(Key::Column(v.name.clone(), c.name.clone()));
    }
    // Its triggers go with it (a re-created view gets its declared ones back).
    if !v.triggers.is_empty() {
        let names: Vec<String> = v.triggers.keys().map(|t| ident(t)).collect();
        b.details
            .push(format!("its triggers go with it: {}", names.join(", ")));
        for t in v.triggers.keys() {
            b.drops.push(Key::Trigger(v.name.clone(), t.clone()));
        }
    }
    b.finish(
        phase::DROP_VIEW,
        Action::Drop,
        v.object_ref(),
        format!("drop {} {}", what(v), v.name),
    )
}

fn matview_ref(name: &QualifiedName) -> ObjectRef {
    ObjectRef::Relation {
        kind: RelationKind::MaterializedView,
        name: name.clone(),
    }
}

fn create_index(view: &QualifiedName, name: &str, definition: &str) -> Node {
    let mut b = Builder::default();
    b.sql(definition.to_string());
    b.hazard(
        HazardKind::IndexBuild,
        format!("builds index {} on {view}", ident(name)),
    );
    b.requires.push(Key::Relation(view.clone()));
    b.creates
        .push(Key::Constraint(view.clone(), name.to_string()));
    b.finish(
        phase::VIEW,
        Action::Create,
        ObjectRef::table_part(TablePart::Index, view, name),
        format!("create index {} on materialized view {view}", ident(name)),
    )
}

fn drop_index(view: &QualifiedName, name: &str, definition: &str) -> Node {
    let mut b = Builder::default();
    b.sql(format!(
        "DROP INDEX {}",
        crate::sql::qualified(&view.schema, name)
    ));
    b.details.push(format!("was: {definition}"));
    b.requires.push(Key::Relation(view.clone()));
    b.drops
        .push(Key::Constraint(view.clone(), name.to_string()));
    b.finish(
        phase::DROP_VIEW,
        Action::Drop,
        ObjectRef::table_part(TablePart::Index, view, name),
        format!("drop index {} from materialized view {view}", ident(name)),
    )
}

fn refresh(name: &QualifiedName) -> Node {
    let mut b = Builder::default();
    b.sql(format!("REFRESH MATERIALIZED VIEW {}", qn(name)));
    b.hazard(
        HazardKind::RewritesTable,
        format!("runs the query of {name} and stores its rows"),
    );
    b.hazard(
        HazardKind::AccessExclusiveLock,
        format!("reads of {name} wait until the refresh ends"),
    );
    b.requires.push(Key::Relation(name.clone()));
    b.finish(
        phase::VIEW,
        Action::Alter,
        matview_ref(name),
        format!("refresh materialized view {name}"),
    )
}
