export const IDX_PROBE = 1;
