CREATE ROLE owner;
CREATE SCHEMA general AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE general.p (id integer CONSTRAINT p_pkey PRIMARY KEY);
-- Rows that violate both constraints, which were added NOT VALID after them.
CREATE TABLE general.t (qty integer, p_id integer);
CREATE TABLE general.u (n integer, p_id integer);
CREATE TABLE general.v (n integer, p_id integer);
CREATE TABLE general.w (n integer CONSTRAINT w_n_check CHECK (n > 0));
RESET ROLE;
INSERT INTO general.p VALUES (1), (2);
INSERT INTO general.t VALUES (-5, 99), (3, 1);
INSERT INTO general.u VALUES (1, 1), (2, NULL);
INSERT INTO general.v VALUES (-1, 99);
INSERT INTO general.w VALUES (1);
ALTER TABLE general.t ADD CONSTRAINT t_qty_check CHECK (qty > 0) NOT VALID;
ALTER TABLE general.t ADD CONSTRAINT t_p_fk FOREIGN KEY (p_id) REFERENCES general.p (id) NOT VALID;
ALTER TABLE general.u ADD CONSTRAINT u_n_check CHECK (n > 0) NOT VALID;
ALTER TABLE general.u ADD CONSTRAINT u_p_fk FOREIGN KEY (p_id) REFERENCES general.p (id) NOT VALID;
