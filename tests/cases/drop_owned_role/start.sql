CREATE ROLE platform;
CREATE ROLE butler_old_app LOGIN;
CREATE ROLE butler_general_app LOGIN;
CREATE ROLE unrelated LOGIN;
CREATE SCHEMA general AUTHORIZATION platform;
GRANT USAGE ON SCHEMA general TO butler_old_app;
CREATE TABLE general.leftover (id int);
ALTER TABLE general.leftover OWNER TO butler_old_app;
