//! Roles and passwords (the rest is in the diff_undeclared_* and role_password cases).

use super::*;

// Stays a unit test: the cases connect as a superuser, who can always read the stored
// verifier (a re-set for a different one is the role_password case).
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
}

// Stays a unit test: the diff fails rather than plans, and a case can only expect a plan.
#[test]
fn external_role_must_exist() {
    let mut desired = Catalog::default();
    let mut r = Role::new("ghost");
    r.external = true;
    desired.roles.insert("ghost".into(), r);
    let err = diff(&desired, &live_base(), &DiffOptions::default()).unwrap_err();
    assert_eq!(err, DiffError::ExternalRoleMissing("ghost".into()));
}
