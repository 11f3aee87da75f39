-- The roles the pairs need, created once per cluster before any pair loads
-- (tests/convergence.rs). Roles are cluster-wide: X and Z of a trial share them, and
-- trials run in parallel, so the roles the pairs create themselves (each guarded by
-- IF NOT EXISTS) are created here too, which keeps concurrent loads from racing on
-- them. Prerequisites from README.md: testuser (pgschema), schemainspect_test_role
-- (migra).
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['testuser', 'schemainspect_test_role', 'admin_role',
        'admin_user', 'api_role', 'api_user', 'app_role', 'app_user', 'column_reader',
        'manager_role', 'old_role', 'owner_role', 'reader', 'readonly_role',
        'readonly_user', 'test_admin']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I', r);
        END IF;
    END LOOP;
    -- pgschema's default_privilege cases grant this to the loading user.
    EXECUTE format('GRANT test_admin TO %I', current_user);
END $$;
