-- citext's install script sets its own comment; the desired state replaces it
CREATE EXTENSION citext;
