/** One seat of one grid cell: `[cellStartMs, seat]`. */
export type CellSeat = readonly [cell: number, seat: number];

/**
 * Which seat of which 5-minute cell each hold or booking of a calendar holds, in memory. It
 * mirrors `slot_claims`; the database's primary key stays the last word.
 */
export class SeatMap {
  private readonly owners = new Map<number, (string | undefined)[]>();
  private readonly counts = new Map<number, number>();
  /** Told the first and last cell of every claim and release (availability memo upkeep). */
  onChange?: (cell: number) => void;

  /** Seats taken per cell, as availability reads it. */
  get occupancy(): ReadonlyMap<number, number> {
    return this.counts;
  }

  /** The lowest free seat of every cell, or undefined when any cell is full. */
  findSeats(cells: readonly number[], capacity: number): CellSeat[] | undefined {
    const found: CellSeat[] = [];
    for (const cell of cells) {
      const seats = this.owners.get(cell);
      let seat = 0;
      while (seat < capacity && seats?.[seat] !== undefined) seat++;
      if (seat >= capacity) return undefined;
      found.push([cell, seat]);
    }
    return found;
  }

  /** Marks the seats as taken by `owner`. */
  claim(seats: readonly CellSeat[], owner: string): void {
    for (const [cell, seat] of seats) {
      let row = this.owners.get(cell);
      if (!row) this.owners.set(cell, (row = []));
      row[seat] = owner;
      this.counts.set(cell, (this.counts.get(cell) ?? 0) + 1);
    }
    this.changed(seats);
  }

  /** Frees the seats. */
  free(seats: readonly CellSeat[]): void {
    for (const [cell, seat] of seats) {
      const row = this.owners.get(cell);
      if (row?.[seat] === undefined) continue;
      row[seat] = undefined;
      const left = (this.counts.get(cell) ?? 1) - 1;
      if (left === 0) {
        this.counts.delete(cell);
        this.owners.delete(cell);
      } else {
        this.counts.set(cell, left);
      }
    }
    this.changed(seats);
  }

  /** Hands the seats over to another owner (a hold becoming a booking). */
  reassign(seats: readonly CellSeat[], owner: string): void {
    for (const [cell, seat] of seats) {
      const row = this.owners.get(cell);
      if (row?.[seat] !== undefined) row[seat] = owner;
    }
  }

  private changed(seats: readonly CellSeat[]): void {
    if (!this.onChange || seats.length === 0) return;
    this.onChange(seats[0]![0]);
    if (seats.length > 1) this.onChange(seats[seats.length - 1]![0]);
  }
}
