-- A user's own application schema, migrated by the user's own Flyway into public (UserDatabaseIT).
CREATE TABLE orders (
    id       bigint PRIMARY KEY,
    customer text   NOT NULL
);
INSERT INTO orders VALUES (1, 'ada'), (2, 'grace');
