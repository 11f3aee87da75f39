CREATE ROLE changed LOGIN PASSWORD 'old-password';
CREATE ROLE same LOGIN PASSWORD 'unchanged-password';
