/**
 * The four SaaS plans (limits −1 = unlimited; prices in cents; yearly = ten months).
 * Portable SQL: the same statement runs on SQLite and MySQL.
 */
export const planSeedSql = `insert into saas_plans (name, slug, monthly_price_cents,
  yearly_price_cents, currency, max_users, max_bookings_per_month, max_events,
  max_tickets_per_event, storage_limit_mb, rate_limit_per_minute, custom_domain, white_label,
  api_access, priority_support, analytics_dashboard, custom_integrations, is_active,
  is_featured, sort_order, created_at) values
  ('Starter', 'starter', 2900, 29000, 'USD', 3, 100, 5, 50, 1024, 200,
    0, 0, 0, 0, 0, 0, 1, 0, 1, CURRENT_TIMESTAMP),
  ('Professional', 'professional', 7900, 79000, 'USD', 10, 500, 25, 200, 5120, 500,
    1, 0, 1, 0, 0, 0, 1, 1, 2, CURRENT_TIMESTAMP),
  ('Business', 'business', 19900, 199000, 'USD', 50, 2000, 100, 1000, 20480, 1000,
    1, 1, 1, 0, 1, 0, 1, 0, 3, CURRENT_TIMESTAMP),
  ('Enterprise', 'enterprise', 49900, 499000, 'USD', -1, -1, -1, -1, 102400, 5000,
    1, 1, 1, 1, 1, 1, 1, 0, 4, CURRENT_TIMESTAMP)`;

/** Removes the seeded plans again. */
export const planSeedDownSql = `delete from saas_plans
  where slug in ('starter', 'professional', 'business', 'enterprise')`;
