import { EntitySchema, type Opt } from "@mikro-orm/core";
import type { BookingPaymentStatus } from "../../domain/payments.js";
import { tenantColumn, tenantFilter, type TenantOwned } from "../tenant-owned.js";

/**
 * A customer's prepayment for a held slot, paid through a Stripe Checkout Session. It books the
 * hold when Stripe reports it paid, and is refunded by the tenant's policy when the booking is
 * cancelled. The session id is unique, so a redelivered event finds the row it already changed.
 */
export class BookingPayment implements TenantOwned {
  id!: string;
  tenant!: string;
  holdId!: string;
  /** The booking the payment made; null until it is paid and booked. */
  bookingId: string | null = null;
  checkoutSessionId!: string;
  /** Known once Checkout completes; refunds name it. */
  paymentIntentId: string | null = null;
  amountCents!: number;
  currency!: string;
  status!: BookingPaymentStatus;
  refundId: string | null = null;
  refundedCents: Opt<number> = 0;
  customerName!: string;
  customerEmail!: string;
  customerPhone: string | null = null;
  createdAt: Opt<Date> = new Date();
  updatedAt: Opt<Date> = new Date();
}

export const BookingPaymentSchema = new EntitySchema<BookingPayment>({
  class: BookingPayment,
  tableName: "booking_payments",
  filters: { tenant: tenantFilter },
  // One checkout per hold: a second, concurrent one for the same slot is refused.
  uniques: [{ properties: ["checkoutSessionId"] }, { properties: ["holdId"] }],
  indexes: [{ properties: ["bookingId"] }],
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    holdId: { type: "string", length: 40 },
    bookingId: { type: "string", length: 40, nullable: true },
    checkoutSessionId: { type: "string", length: 255 },
    paymentIntentId: { type: "string", length: 255, nullable: true },
    amountCents: { type: "integer" },
    currency: { type: "string", length: 3 },
    status: { type: "string", length: 20 },
    refundId: { type: "string", length: 255, nullable: true },
    refundedCents: { type: "integer", default: 0 },
    customerName: { type: "string", length: 200 },
    customerEmail: { type: "string", length: 255 },
    customerPhone: { type: "string", length: 40, nullable: true },
    createdAt: { type: "datetime", length: 3 },
    updatedAt: { type: "datetime", length: 3, onUpdate: () => new Date() },
  },
});
