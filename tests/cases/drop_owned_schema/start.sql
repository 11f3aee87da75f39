CREATE ROLE owner;
CREATE SCHEMA svc_keep AUTHORIZATION owner;
CREATE SCHEMA svc_retired AUTHORIZATION owner;
CREATE TABLE svc_retired.leftovers (id int);
CREATE SCHEMA unrelated AUTHORIZATION owner;
