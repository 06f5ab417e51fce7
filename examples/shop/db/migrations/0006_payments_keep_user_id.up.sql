-- Payments outlive the account that made them (accounting keeps them after a user is deleted):
-- payments.user_id stays as a plain number, without its foreign key.
-- Dropping the FK takes an ACCESS EXCLUSIVE lock on users, the busiest table, although the
-- statement never names it: see `fklens locks` and the hover on the statement.
ALTER TABLE payments DROP CONSTRAINT payments_user_fk;
