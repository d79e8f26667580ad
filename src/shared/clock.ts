/**
 * The time source every service is given: ms since epoch. A plain function, so production passes
 * `Date.now` and tests a closure over their own time (docs/adr/0022).
 */
export type Clock = () => number;
