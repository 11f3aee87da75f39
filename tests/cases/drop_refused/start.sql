CREATE ROLE butler_old_app LOGIN;
