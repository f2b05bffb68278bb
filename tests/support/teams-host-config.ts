// The host configs moved to src/cards so the tab renders cards as Teams does; tests keep importing them from here.
export * from '../../src/cards/host-config';
