/** Tag colours dark enough for white text at WCAG AA (antd's light preset tags are not). */
export const TAG_GREEN = '#237804';
export const TAG_BLUE = '#0958d9';
