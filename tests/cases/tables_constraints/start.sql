CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE general.teams (id integer PRIMARY KEY, lead_id integer, name text);
CREATE TABLE general.people (
    id integer CONSTRAINT people_pkey PRIMARY KEY,
    team_id integer,
    email text,
    age integer,
    CONSTRAINT people_age_chk CHECK (age > 0),
    CONSTRAINT people_email_check CHECK (email <> '')
);
CREATE TABLE general.memberships (
    person_id integer CONSTRAINT memberships_person_fkey REFERENCES general.people (id),
    since date
);
CREATE TABLE general.rules (id integer CONSTRAINT rules_id_check CHECK (id > 0));
RESET ROLE;
INSERT INTO general.teams VALUES (1, 1, 'core'), (2, NULL, 'ops');
INSERT INTO general.people VALUES (1, 1, 'a@x', 30), (2, 2, 'b@x', 40);
INSERT INTO general.memberships VALUES (1, '2024-01-01');
