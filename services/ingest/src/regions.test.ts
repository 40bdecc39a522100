import { describe, expect, it } from '@jest/globals';
import { regionCode } from './regions';

describe('regionCode', () => {
  it('maps names, ISO suffixes and full codes within the country', () => {
    expect(regionCode('California', 'US')).toBe('US-CA');
    expect(regionCode('CA', 'US')).toBe('US-CA');
    expect(regionCode('ny', 'US')).toBe('US-NY');
    expect(regionCode('US-NY', 'US')).toBe('US-NY');
    expect(regionCode('  new   york ', 'US')).toBe('US-NY');
    expect(regionCode('Ontario', 'CA')).toBe('CA-ON');
    expect(regionCode('Bayern', 'DE')).toBe('DE-BY');
    expect(regionCode('Quebec', 'CA')).toBe('CA-QC');
  });

  it('the same letters mean different regions in different countries', () => {
    expect(regionCode('CA', 'US')).toBe('US-CA');
    expect(regionCode('BE', 'DE')).toBe('DE-BE');
  });

  it('without a country only full codes; unknown regions are undefined', () => {
    expect(regionCode('US-TX', null)).toBe('US-TX');
    expect(regionCode('Texas', null)).toBeUndefined();
    expect(regionCode('Atlantis', 'US')).toBeUndefined();
    expect(regionCode('', 'US')).toBeUndefined();
  });
});
