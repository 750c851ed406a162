'use strict';
/** Examples another branch is still reworking, left out of the layout rules until it lands (none now). */
module.exports = new Set([]);
