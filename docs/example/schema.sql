-- An example schema of "your own" (README, "Your own facts"): quoted camelCase names as an ORM such as Prisma
-- creates them, a two-column primary key, and a table referenced twice by another.
CREATE TABLE "Region" (
    id integer PRIMARY KEY,
    "regionName" text NOT NULL
);

CREATE TABLE "Account" (
    id bigint PRIMARY KEY,
    "displayName" text NOT NULL,
    "regionId" integer REFERENCES "Region",
    tier text
);

CREATE TABLE "Invoice" (
    id integer PRIMARY KEY,
    "accountId" bigint NOT NULL REFERENCES "Account",
    "billedToId" bigint REFERENCES "Account",
    amount numeric(12,2) NOT NULL,
    discount numeric(5,2),
    status text NOT NULL
);

CREATE TABLE "InvoiceLine" (
    "invoiceId" integer NOT NULL REFERENCES "Invoice",
    "lineNo" integer NOT NULL,
    sku varchar(20) NOT NULL,
    qty integer NOT NULL,
    "unitPrice" numeric(10,2) NOT NULL,
    PRIMARY KEY ("invoiceId", "lineNo")
);
