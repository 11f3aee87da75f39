//! Roles, passwords, the owned role scope.

use super::*;

#[test]
fn owned_role_pattern_drops_only_with_prune() {
    let mut desired = Catalog::default();
    desired.scope.owned_role_patterns = vec!["butler_*_app".into()];
    let mut live = live_base();
    live.roles
        .insert("butler_old_app".into(), Role::new("butler_old_app"));
    live.roles
        .insert("someone_else".into(), Role::new("someone_else"));
    let d = diff(&desired, &live, &DiffOptions::default()).unwrap();
    assert!(d.changes.is_empty());
    assert_eq!(d.notes.len(), 1);
    assert_eq!(d.notes[0].kind, NoteKind::Unexpected);
    let d = diff(&desired, &live, &DiffOptions { prune: true }).unwrap();
    assert_eq!(
        d.changes,
        vec![Change::DropRole {
            name: "butler_old_app".into(),
            reassign_to: None
        }]
    );
}

#[test]
fn undeclared_roles_are_never_touched() {
    let desired = Catalog::default();
    let mut live = live_base();
    let mut r = Role::new("dba");
    r.attributes.superuser = true;
    live.roles.insert("dba".into(), r);
    let d = diff(&desired, &live, &DiffOptions { prune: true }).unwrap();
    assert!(d.changes.is_empty() && d.notes.is_empty());
}

#[test]
fn unreadable_password_is_noted_not_reset() {
    use secrecy::SecretString;
    let mut desired = Catalog::default();
    let mut want = Role::new("app");
    want.password = Password::Desired {
        source: PasswordSource::Env("X".into()),
        secret: Some(SecretString::from("pw")),
    };
    desired.roles.insert("app".into(), want);
    let mut live = live_base();
    let mut have = Role::new("app");
    have.password = Password::Unreadable;
    live.roles.insert("app".into(), have);
    let d = diff(&desired, &live, &DiffOptions::default()).unwrap();
    assert!(d.changes.is_empty());
    assert_eq!(d.notes[0].kind, NoteKind::Unverifiable);
    // With a readable, different verifier the password is re-set.
    let mut have = Role::new("app");
    have.password = Password::Stored(SecretString::from(password::verifier_for("other")));
    live.roles.insert("app".into(), have);
    let d = diff(&desired, &live, &DiffOptions::default()).unwrap();
    assert!(matches!(
        &d.changes[..],
        [Change::SetPassword {
            reason: PasswordReason::Differs,
            ..
        }]
    ));
}

#[test]
fn external_role_must_exist() {
    let mut desired = Catalog::default();
    let mut r = Role::new("ghost");
    r.external = true;
    desired.roles.insert("ghost".into(), r);
    let err = diff(&desired, &live_base(), &DiffOptions::default()).unwrap_err();
    assert_eq!(err, DiffError::ExternalRoleMissing("ghost".into()));
}
