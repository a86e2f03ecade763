import { describe, expect, it } from 'vitest';
import { PHOTO_DEFAULTS, PHOTO_SETTINGS_KEY, jpegName, parsePhotoSettings, photoSettings, planResize, setPhotoSettings } from './photos';

describe('planResize', () => {
  it('keeps a photo that fits and is upright', () => {
    expect(planResize({ width: 1600, height: 1200, orientation: 1, maxEdge: 1600 })).toEqual({ resize: false, reason: 'fits' });
    expect(planResize({ width: 64, height: 48, orientation: 1, maxEdge: 1600 })).toEqual({ resize: false, reason: 'fits' });
  });

  it('scales the long edge down to maxEdge, keeping the aspect ratio', () => {
    // given a 12 MP landscape and a portrait photo (upright sizes)
    expect(planResize({ width: 4000, height: 3000, orientation: 1, maxEdge: 1600 })).toEqual({ resize: true, width: 1600, height: 1200 });
    expect(planResize({ width: 3024, height: 4032, orientation: 1, maxEdge: 1600 })).toEqual({ resize: true, width: 1200, height: 1600 });
    expect(planResize({ width: 5000, height: 3, orientation: 1, maxEdge: 1000 })).toEqual({ resize: true, width: 1000, height: 1 });
  });

  it('re-encodes a small photo whose EXIF says it is turned, so the pixels become upright', () => {
    expect(planResize({ width: 480, height: 640, orientation: 6, maxEdge: 1600 })).toEqual({ resize: true, width: 480, height: 640 });
  });
});

describe('parsePhotoSettings', () => {
  it('falls back to 1600 px and quality 0.8', () => {
    expect(PHOTO_DEFAULTS).toEqual({ maxEdge: 1600, quality: 0.8 });
    expect(parsePhotoSettings(null)).toEqual(PHOTO_DEFAULTS);
    expect(parsePhotoSettings('not json')).toEqual(PHOTO_DEFAULTS);
    expect(parsePhotoSettings('{"maxEdge":"big","quality":null}')).toEqual(PHOTO_DEFAULTS);
  });

  it('takes stored values and clamps them to sane ranges', () => {
    expect(parsePhotoSettings('{"maxEdge":2048.4,"quality":0.85}')).toEqual({ maxEdge: 2048, quality: 0.85 });
    expect(parsePhotoSettings('{"maxEdge":10,"quality":2}')).toEqual({ maxEdge: 320, quality: 0.95 });
    expect(parsePhotoSettings('{"maxEdge":99999}')).toEqual({ maxEdge: 8192, quality: 0.8 });
  });
});

describe('jpegName', () => {
  it.each([
    ['IMG_0042.HEIC', 'IMG_0042.jpg'],
    ['direk.jpeg', 'direk.jpg'],
    ['foto', 'foto.jpg'],
    ['.png', 'foto.jpg'],
  ])('%s → %s', (name, want) => expect(jpegName(name)).toBe(want));
});

describe('photoSettings on this device', () => {
  it('stores a choice in localStorage (clamped) and reads it back', () => {
    // given: nothing stored
    localStorage.removeItem(PHOTO_SETTINGS_KEY);
    expect(photoSettings()).toEqual(PHOTO_DEFAULTS);
    // when: the account screen stores 1280 px, then a value out of range
    setPhotoSettings({ maxEdge: 1280, quality: 0.8 });
    // then
    expect(photoSettings()).toEqual({ maxEdge: 1280, quality: 0.8 });
    setPhotoSettings({ maxEdge: 50, quality: 0.8 });
    expect(JSON.parse(localStorage.getItem(PHOTO_SETTINGS_KEY)!)).toEqual({ maxEdge: 320, quality: 0.8 });
    localStorage.removeItem(PHOTO_SETTINGS_KEY);
  });
});
