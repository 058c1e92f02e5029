// Code generated from Java 17 (OpenJDK 17.0.15, Locale.US) by testdata/java/Zones.java; DO NOT EDIT.
//
// How it was made: for every id in ZoneId.getAvailableZoneIds(), the program formatted
// 2019-01-15T12:00Z and 2019-07-15T12:00Z with the patterns z, zzzz, v and vvvv and wrote
// "id, short standard, short daylight, full standard, full daylight, generic short, generic full".
// Then it parsed "2019-10-17 11:55:12 NAME" with "yyyy-MM-dd HH:mm:ss z" (short names) and
// "... zzzz" (full names) and wrote "=s NAME id" / "=f NAME id" for every name Java resolved
// to a zone other than one of the same name. docs/transform.md describes the table.

package javatime

const zoneData = `Africa/Abidjan	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Africa/Accra	GMT		Greenwich Mean Time		GMT	Ghana Mean Time
Africa/Addis_Ababa	EAT		East Africa Time		EAT	Eastern Africa Time
Africa/Algiers	CET		Central European Standard Time		CET	Central European Time
Africa/Asmara	EAT		East Africa Time		EAT	Eastern Africa Time
Africa/Asmera	EAT		East Africa Time		EAT	Eastern Africa Time
Africa/Bamako	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Africa/Bangui	WAT		West Africa Standard Time		WAT	West Africa Time
Africa/Banjul	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Africa/Bissau	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Africa/Blantyre	CAT		Central Africa Time		CAT	Central Africa Time
Africa/Brazzaville	WAT		West Africa Standard Time		WAT	West Africa Time
Africa/Bujumbura	CAT		Central Africa Time		CAT	Central Africa Time
Africa/Cairo	EET		Eastern European Standard Time		EET	Eastern European Time
Africa/Casablanca	WEST	WEST	Western European Summer Time	Western European Summer Time	WET	Western European Time
Africa/Ceuta	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Africa/Conakry	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Africa/Dakar	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Africa/Dar_es_Salaam	EAT		East Africa Time		EAT	Eastern Africa Time
Africa/Djibouti	EAT		East Africa Time		EAT	Eastern Africa Time
Africa/Douala	WAT		West Africa Standard Time		WAT	West Africa Time
Africa/El_Aaiun	WEST	WEST	Western European Summer Time	Western European Summer Time	WET	Western European Time
Africa/Freetown	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Africa/Gaborone	CAT		Central Africa Time		CAT	Central Africa Time
Africa/Harare	CAT		Central Africa Time		CAT	Central Africa Time
Africa/Johannesburg	SAST		South Africa Standard Time		SAT	South Africa Time
Africa/Juba	CAT		Central Africa Time		CAT	Central Africa Time
Africa/Kampala	EAT		East Africa Time		EAT	Eastern Africa Time
Africa/Khartoum	CAT		Central Africa Time		CAT	Central Africa Time
Africa/Kigali	CAT		Central Africa Time		CAT	Central Africa Time
Africa/Kinshasa	WAT		West Africa Standard Time		WAT	West Africa Time
Africa/Lagos	WAT		West Africa Standard Time		WAT	West Africa Time
Africa/Libreville	WAT		West Africa Standard Time		WAT	West Africa Time
Africa/Lome	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Africa/Luanda	WAT		West Africa Standard Time		WAT	West Africa Time
Africa/Lubumbashi	CAT		Central Africa Time		CAT	Central Africa Time
Africa/Lusaka	CAT		Central Africa Time		CAT	Central Africa Time
Africa/Malabo	WAT		West Africa Standard Time		WAT	West Africa Time
Africa/Maputo	CAT		Central Africa Time		CAT	Central Africa Time
Africa/Maseru	SAST		South Africa Standard Time		SAT	South Africa Time
Africa/Mbabane	SAST		South Africa Standard Time		SAT	South Africa Time
Africa/Mogadishu	EAT		East Africa Time		EAT	Eastern Africa Time
Africa/Monrovia	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Africa/Nairobi	EAT		East Africa Time		EAT	Eastern Africa Time
Africa/Ndjamena	WAT		West Africa Standard Time		WAT	West Africa Time
Africa/Niamey	WAT		West Africa Standard Time		WAT	West Africa Time
Africa/Nouakchott	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Africa/Ouagadougou	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Africa/Porto-Novo	WAT		West Africa Standard Time		WAT	West Africa Time
Africa/Sao_Tome	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Africa/Timbuktu	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Africa/Tripoli	EET		Eastern European Standard Time		EET	Eastern European Time
Africa/Tunis	CET		Central European Standard Time		CET	Central European Time
Africa/Windhoek	WAT	WAT	Western African Time	Western African Time	CAT	Central African Time
America/Adak	HAST	HADT	Hawaii-Aleutian Standard Time	Hawaii-Aleutian Daylight Time	HAT	Hawaii-Aleutian Time
America/Anchorage	AKST	AKDT	Alaska Standard Time	Alaska Daylight Time	AKT	Alaska Time
America/Anguilla	AST		Atlantic Standard Time		AT	Atlantic Time
America/Antigua	AST		Atlantic Standard Time		AT	Atlantic Time
America/Araguaina	BRT		Brasilia Standard Time		BRT	Brasilia Time
America/Argentina/Buenos_Aires	ART		Argentina Standard Time		ART	Argentina Time
America/Argentina/Catamarca	ART		Argentina Standard Time		ART	Argentina Time
America/Argentina/ComodRivadavia	ART		Argentina Standard Time		ART	Argentina Time
America/Argentina/Cordoba	ART		Argentina Standard Time		ART	Argentina Time
America/Argentina/Jujuy	ART		Argentina Standard Time		ART	Argentina Time
America/Argentina/La_Rioja	ART		Argentina Standard Time		ART	Argentina Time
America/Argentina/Mendoza	ART		Argentina Standard Time		ART	Argentina Time
America/Argentina/Rio_Gallegos	ART		Argentina Standard Time		ART	Argentina Time
America/Argentina/Salta	ART		Argentina Standard Time		ART	Argentina Time
America/Argentina/San_Juan	ART		Argentina Standard Time		ART	Argentina Time
America/Argentina/San_Luis	ART		Argentina Standard Time		ART	Argentina Time
America/Argentina/Tucuman	ART		Argentina Standard Time		ART	Argentina Time
America/Argentina/Ushuaia	ART		Argentina Standard Time		ART	Argentina Time
America/Aruba	AST		Atlantic Standard Time		AT	Atlantic Time
America/Asuncion	PYT	PYST	Paraguay Standard Time	Paraguay Summer Time	PYT	Paraguay Time
America/Atikokan	EST		Eastern Standard Time		ET	Eastern Time
America/Atka	HAST	HADT	Hawaii-Aleutian Standard Time	Hawaii-Aleutian Daylight Time	HAT	Hawaii-Aleutian Time
America/Bahia	BRT		Brasilia Standard Time		BRT	Brasilia Time
America/Bahia_Banderas	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/Barbados	AST		Atlantic Standard Time		AT	Atlantic Time
America/Belem	BRT		Brasilia Standard Time		BRT	Brasilia Time
America/Belize	CST		Central Standard Time		CT	Central Time
America/Blanc-Sablon	AST		Atlantic Standard Time		AT	Atlantic Time
America/Boa_Vista	AMT		Amazon Standard Time		AMT	Amazon Time
America/Bogota	COT		Colombia Standard Time		COT	Colombia Time
America/Boise	MST	MDT	Mountain Standard Time	Mountain Daylight Time	MT	Mountain Time
America/Buenos_Aires	ART		Argentina Standard Time		ART	Argentina Time
America/Cambridge_Bay	MST	MDT	Mountain Standard Time	Mountain Daylight Time	MT	Mountain Time
America/Campo_Grande	AMT	AMST	Amazon Standard Time	Amazon Summer Time	AMT	Amazon Time
America/Cancun	EST		Eastern Standard Time		ET	Eastern Time
America/Caracas	VET		Venezuela Time		VET	Venezuela Time
America/Catamarca	ART		Argentina Standard Time		ART	Argentina Time
America/Cayenne	GFT		French Guiana Time		GFT	French Guiana Time
America/Cayman	EST		Eastern Standard Time		ET	Eastern Time
America/Chicago	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/Chihuahua	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/Ciudad_Juarez	MST	MDT	Mountain Standard Time	Mountain Daylight Time	MT	Mountain Time
America/Coral_Harbour	EST		Eastern Standard Time		ET	Eastern Time
America/Cordoba	ART		Argentina Standard Time		ART	Argentina Time
America/Costa_Rica	CST		Central Standard Time		CT	Central Time
America/Creston	MST		Mountain Standard Time		MT	Mountain Time
America/Cuiaba	AMT	AMST	Amazon Standard Time	Amazon Summer Time	AMT	Amazon Time
America/Curacao	AST		Atlantic Standard Time		AT	Atlantic Time
America/Danmarkshavn	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
America/Dawson	MST	MDT	Mountain Standard Time	Mountain Daylight Time	MT	Mountain Time
America/Dawson_Creek	MST		Mountain Standard Time		MT	Mountain Time
America/Denver	MST	MDT	Mountain Standard Time	Mountain Daylight Time	MT	Mountain Time
America/Detroit	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Dominica	AST		Atlantic Standard Time		AT	Atlantic Time
America/Edmonton	MST	MDT	Mountain Standard Time	Mountain Daylight Time	MT	Mountain Time
America/Eirunepe	ACT		Acre Standard Time		ACT	Acre Time
America/El_Salvador	CST		Central Standard Time		CT	Central Time
America/Ensenada	PST	PDT	Pacific Standard Time	Pacific Daylight Time	PT	Pacific Time
America/Fort_Nelson	MST		Mountain Standard Time		MT	Mountain Time
America/Fort_Wayne	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Fortaleza	BRT		Brasilia Standard Time		BRT	Brasilia Time
America/Glace_Bay	AST	ADT	Atlantic Standard Time	Atlantic Daylight Time	AT	Atlantic Time
America/Godthab	WGT	WGST	West Greenland Standard Time	West Greenland Summer Time	WGT	West Greenland Time
America/Goose_Bay	AST	ADT	Atlantic Standard Time	Atlantic Daylight Time	AT	Atlantic Time
America/Grand_Turk	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Grenada	AST		Atlantic Standard Time		AT	Atlantic Time
America/Guadeloupe	AST		Atlantic Standard Time		AT	Atlantic Time
America/Guatemala	CST		Central Standard Time		CT	Central Time
America/Guayaquil	ECT		Ecuador Time		ECT	Ecuador Time
America/Guyana	GYT		Guyana Time		GYT	Guyana Time
America/Halifax	AST	ADT	Atlantic Standard Time	Atlantic Daylight Time	AT	Atlantic Time
America/Havana	CST	CDT	Cuba Standard Time	Cuba Daylight Time	CT	Cuba Time
America/Hermosillo	MST		Mexican Pacific Standard Time		MT	Mexican Pacific Time
America/Indiana/Indianapolis	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Indiana/Knox	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/Indiana/Marengo	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Indiana/Petersburg	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Indiana/Tell_City	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/Indiana/Vevay	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Indiana/Vincennes	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Indiana/Winamac	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Indianapolis	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Inuvik	MST	MDT	Mountain Standard Time	Mountain Daylight Time	MT	Mountain Time
America/Iqaluit	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Jamaica	EST		Eastern Standard Time		ET	Eastern Time
America/Jujuy	ART		Argentina Standard Time		ART	Argentina Time
America/Juneau	AKST	AKDT	Alaska Standard Time	Alaska Daylight Time	AKT	Alaska Time
America/Kentucky/Louisville	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Kentucky/Monticello	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Knox_IN	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/Kralendijk	AST		Atlantic Standard Time		AT	Atlantic Time
America/La_Paz	BOT		Bolivia Time		BOT	Bolivia Time
America/Lima	PET		Peru Standard Time		PET	Peru Time
America/Los_Angeles	PST	PDT	Pacific Standard Time	Pacific Daylight Time	PT	Pacific Time
America/Louisville	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Lower_Princes	AST		Atlantic Standard Time		AT	Atlantic Time
America/Maceio	BRT		Brasilia Standard Time		BRT	Brasilia Time
America/Managua	CST		Central Standard Time		CT	Central Time
America/Manaus	AMT		Amazon Standard Time		AMT	Amazon Time
America/Marigot	AST		Atlantic Standard Time		AT	Atlantic Time
America/Martinique	AST		Atlantic Standard Time		AT	Atlantic Time
America/Matamoros	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/Mazatlan	MST	MDT	Mexican Pacific Standard Time	Mexican Pacific Daylight Time	MT	Mexican Pacific Time
America/Mendoza	ART		Argentina Standard Time		ART	Argentina Time
America/Menominee	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/Merida	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/Metlakatla	AKST	AKDT	Alaska Standard Time	Alaska Daylight Time	AKT	Alaska Time
America/Mexico_City	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/Miquelon	PMST	PMDT	St. Pierre & Miquelon Standard Time	St. Pierre & Miquelon Daylight Time	PMT	St. Pierre & Miquelon Time
America/Moncton	AST	ADT	Atlantic Standard Time	Atlantic Daylight Time	AT	Atlantic Time
America/Monterrey	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/Montevideo	UYT		Uruguay Standard Time		UYT	Uruguay Time
America/Montreal	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Montserrat	AST		Atlantic Standard Time		AT	Atlantic Time
America/Nassau	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/New_York	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Nipigon	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Nome	AKST	AKDT	Alaska Standard Time	Alaska Daylight Time	AKT	Alaska Time
America/Noronha	FNT		Fernando de Noronha Standard Time		FNT	Fernando de Noronha Time
America/North_Dakota/Beulah	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/North_Dakota/Center	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/North_Dakota/New_Salem	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/Nuuk	WGT	WGST	West Greenland Standard Time	West Greenland Summer Time	WGT	West Greenland Time
America/Ojinaga	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/Panama	EST		Eastern Standard Time		ET	Eastern Time
America/Pangnirtung	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Paramaribo	SRT		Suriname Time		SRT	Suriname Time
America/Phoenix	MST		Mountain Standard Time		MT	Mountain Time
America/Port-au-Prince	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Port_of_Spain	AST		Atlantic Standard Time		AT	Atlantic Time
America/Porto_Acre	ACT		Acre Standard Time		ACT	Acre Time
America/Porto_Velho	AMT		Amazon Standard Time		AMT	Amazon Time
America/Puerto_Rico	AST		Atlantic Standard Time		AT	Atlantic Time
America/Punta_Arenas	GMT-03:00		Punta Arenas Standard Time		GMT-03:00	Punta Arenas Time
America/Rainy_River	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/Rankin_Inlet	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/Recife	BRT		Brasilia Standard Time		BRT	Brasilia Time
America/Regina	CST		Central Standard Time		CT	Central Time
America/Resolute	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/Rio_Branco	ACT		Acre Standard Time		ACT	Acre Time
America/Rosario	ART		Argentina Standard Time		ART	Argentina Time
America/Santa_Isabel	PST	PDT	Northwest Mexico Standard Time	Northwest Mexico Daylight Time	PT	Northwest Mexico Time
America/Santarem	BRT		Brasilia Standard Time		BRT	Brasilia Time
America/Santiago	CLT	CLST	Chile Standard Time	Chile Summer Time	CLT	Chile Time
America/Santo_Domingo	AST		Atlantic Standard Time		AT	Atlantic Time
America/Sao_Paulo	BRT	BRST	Brasilia Standard Time	Brasilia Summer Time	BRT	Brasilia Time
America/Scoresbysund	EGT	EGST	East Greenland Standard Time	East Greenland Summer Time	EGT	East Greenland Time
America/Shiprock	MST	MDT	Mountain Standard Time	Mountain Daylight Time	MT	Mountain Time
America/Sitka	AKST	AKDT	Alaska Standard Time	Alaska Daylight Time	AKT	Alaska Time
America/St_Barthelemy	AST		Atlantic Standard Time		AT	Atlantic Time
America/St_Johns	NST	NDT	Newfoundland Standard Time	Newfoundland Daylight Time	NT	Newfoundland Time
America/St_Kitts	AST		Atlantic Standard Time		AT	Atlantic Time
America/St_Lucia	AST		Atlantic Standard Time		AT	Atlantic Time
America/St_Thomas	AST		Atlantic Standard Time		AT	Atlantic Time
America/St_Vincent	AST		Atlantic Standard Time		AT	Atlantic Time
America/Swift_Current	CST		Central Standard Time		CT	Central Time
America/Tegucigalpa	CST		Central Standard Time		CT	Central Time
America/Thule	AST	ADT	Atlantic Standard Time	Atlantic Daylight Time	AT	Atlantic Time
America/Thunder_Bay	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Tijuana	PST	PDT	Pacific Standard Time	Pacific Daylight Time	PT	Pacific Time
America/Toronto	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
America/Tortola	AST		Atlantic Standard Time		AT	Atlantic Time
America/Vancouver	PST	PDT	Pacific Standard Time	Pacific Daylight Time	PT	Pacific Time
America/Virgin	AST		Atlantic Standard Time		AT	Atlantic Time
America/Whitehorse	MST	MDT	Mountain Standard Time	Mountain Daylight Time	MT	Mountain Time
America/Winnipeg	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
America/Yakutat	AKST	AKDT	Alaska Standard Time	Alaska Daylight Time	AKT	Alaska Time
America/Yellowknife	MST	MDT	Mountain Standard Time	Mountain Daylight Time	MT	Mountain Time
Antarctica/Casey	AWST		Casey Time		AWT	Australian Western Time
Antarctica/Davis	DAVT		Davis Time		DAVT	Davis Time
Antarctica/DumontDUrville	DDUT		Dumont-d’Urville Time		DDUT	Dumont-d'Urville Time
Antarctica/Macquarie	AEST	AEDT	Australian Eastern Standard Time	Australian Eastern Daylight Time	AET	Eastern Australia Time
Antarctica/Mawson	MAWT		Mawson Time		MAWT	Mawson Time
Antarctica/McMurdo	NZST	NZDT	New Zealand Standard Time	New Zealand Daylight Time	NZT	New Zealand Time
Antarctica/Palmer	CLT		Chile Time		CLT	Chile Time
Antarctica/Rothera	ROTT		Rothera Time		ROTT	Rothera Time
Antarctica/South_Pole	NZST	NZDT	New Zealand Standard Time	New Zealand Daylight Time	NZT	New Zealand Time
Antarctica/Syowa	SYOT		Syowa Time		SYOT	Syowa Time
Antarctica/Troll	GMT	CEST	Greenwich Mean Time	Central European Summer Time	ATT	Troll Time
Antarctica/Vostok	VOST		Vostok Time		VOST	Vostok Time
Arctic/Longyearbyen	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Asia/Aden	AST		Arabian Standard Time		AT	Arabian Time
Asia/Almaty	ALMT		East Kazakhstan Time		ALMT	Alma-Ata Time
Asia/Amman	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Asia/Anadyr	ANAT		Anadyr Standard Time		ANAT	Anadyr Time
Asia/Aqtau	AQTT		West Kazakhstan Time		AQTT	Aqtau Time
Asia/Aqtobe	AQTT		West Kazakhstan Time		AQTT	Aqtobe Time
Asia/Ashgabat	TMT		Turkmenistan Standard Time		TMT	Turkmenistan Time
Asia/Ashkhabad	TMT		Turkmenistan Standard Time		TMT	Turkmenistan Time
Asia/Atyrau	GMT+05:00		West Kazakhstan Time		GMT+05:00	Atyrau Time
Asia/Baghdad	AST		Arabian Standard Time		AT	Arabian Time
Asia/Bahrain	AST		Arabian Standard Time		AT	Arabian Time
Asia/Baku	AZT		Azerbaijan Standard Time		AZT	Azerbaijan Time
Asia/Bangkok	ICT		Indochina Time		ICT	Indochina Time
Asia/Barnaul	GMT+07:00		Barnaul Standard Time		GMT+07:00	Barnaul Time
Asia/Beirut	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Asia/Bishkek	KGT		Kyrgyzstan Time		KGT	Kirgizstan Time
Asia/Brunei	BNT		Brunei Darussalam Time		BNT	Brunei Time
Asia/Calcutta	IST		India Standard Time		IT	India Time
Asia/Chita	YAKT		Yakutsk Standard Time		YAKT	Yakutsk Time
Asia/Choibalsan	CHOT		Ulaanbaatar Standard Time		CHOT	Ulaanbaatar Time
Asia/Chongqing	CST		China Standard Time		CT	China Time
Asia/Chungking	CST		China Standard Time		CT	China Time
Asia/Colombo	IST		India Standard Time		IT	India Time
Asia/Dacca	BDT		Bangladesh Standard Time		BDT	Bangladesh Time
Asia/Damascus	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Asia/Dhaka	BDT		Bangladesh Standard Time		BDT	Bangladesh Time
Asia/Dili	TLT		East Timor Time		TLT	Timor-Leste Time
Asia/Dubai	GST		Gulf Standard Time		GT	Gulf Time
Asia/Dushanbe	TJT		Tajikistan Time		TJT	Tajikistan Time
Asia/Famagusta	EET	EEST	Eastern European Time	Eastern European Summer Time	EET	Eastern European Time
Asia/Gaza	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Asia/Harbin	CST		China Standard Time		CT	China Time
Asia/Hebron	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Asia/Ho_Chi_Minh	ICT		Indochina Time		ICT	Indochina Time
Asia/Hong_Kong	HKT		Hong Kong Standard Time		HKT	Hong Kong Time
Asia/Hovd	HOVT		Hovd Standard Time		HOVT	Hovd Time
Asia/Irkutsk	IRKT		Irkutsk Standard Time		IRKT	Irkutsk Time
Asia/Istanbul	TRT		Turkey Time		TRT	Turkey Time
Asia/Jakarta	WIB		Western Indonesia Time		WIB	West Indonesia Time
Asia/Jayapura	WIT		Eastern Indonesia Time		WIT	East Indonesia Time
Asia/Jerusalem	IST	IDT	Israel Standard Time	Israel Daylight Time	IT	Israel Time
Asia/Kabul	AFT		Afghanistan Time		AFT	Afghanistan Time
Asia/Kamchatka	PETT		Petropavlovsk-Kamchatski Standard Time		PETT	Petropavlovsk-Kamchatski Time
Asia/Karachi	PKT		Pakistan Standard Time		PKT	Pakistan Time
Asia/Kashgar	XJT		Xinjiang Standard Time		XJT	Xinjiang Time
Asia/Kathmandu	NPT		Nepal Time		NPT	Nepal Time
Asia/Katmandu	NPT		Nepal Time		NPT	Nepal Time
Asia/Khandyga	YAKT		Yakutsk Standard Time		YAKT	Yakutsk Time
Asia/Kolkata	IST		India Standard Time		IT	India Time
Asia/Krasnoyarsk	KRAT		Krasnoyarsk Standard Time		KRAT	Krasnoyarsk Time
Asia/Kuala_Lumpur	MYT		Malaysia Time		MYT	Malaysia Time
Asia/Kuching	MYT		Malaysia Time		MYT	Malaysia Time
Asia/Kuwait	AST		Arabian Standard Time		AT	Arabian Time
Asia/Macao	CST		China Standard Time		CT	China Time
Asia/Macau	CST		China Standard Time		CT	China Time
Asia/Magadan	MAGT		Magadan Standard Time		MAGT	Magadan Time
Asia/Makassar	WITA		Central Indonesia Time		WITA	Central Indonesia Time
Asia/Manila	PST		Philippine Standard Time		PT	Philippine Time
Asia/Muscat	GST		Gulf Standard Time		GT	Gulf Time
Asia/Nicosia	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Asia/Novokuznetsk	KRAT		Krasnoyarsk Standard Time		KRAT	Krasnoyarsk Time
Asia/Novosibirsk	NOVT		Novosibirsk Standard Time		NOVT	Novosibirsk Time
Asia/Omsk	OMST		Omsk Standard Time		OMST	Omsk Time
Asia/Oral	ORAT		West Kazakhstan Time		ORAT	Oral Time
Asia/Phnom_Penh	ICT		Indochina Time		ICT	Indochina Time
Asia/Pontianak	WIB		Western Indonesia Time		WIB	West Indonesia Time
Asia/Pyongyang	KST		Korean Standard Time		KT	Korean Time
Asia/Qatar	AST		Arabian Standard Time		AT	Arabian Time
Asia/Qostanay	QOST		East Kazakhstan Time		QOST	Kostanay Time
Asia/Qyzylorda	QYZT		West Kazakhstan Time		QYZT	Qyzylorda Time
Asia/Rangoon	MMT		Myanmar Time		MMT	Myanmar Time
Asia/Riyadh	AST		Arabian Standard Time		AT	Arabian Time
Asia/Saigon	ICT		Indochina Time		ICT	Indochina Time
Asia/Sakhalin	SAKT		Sakhalin Standard Time		SAKT	Sakhalin Time
Asia/Samarkand	UZT		Uzbekistan Standard Time		UZT	Uzbekistan Time
Asia/Seoul	KST		Korean Standard Time		KT	Korean Time
Asia/Shanghai	CST		China Standard Time		CT	China Time
Asia/Singapore	SGT		Singapore Standard Time		SGT	Singapore Time
Asia/Srednekolymsk	SRET		Srednekolymsk Time		SRET	Srednekolymsk Time
Asia/Taipei	CST		Taipei Standard Time		CT	Taipei Time
Asia/Tashkent	UZT		Uzbekistan Standard Time		UZT	Uzbekistan Time
Asia/Tbilisi	GET		Georgia Standard Time		GET	Georgia Time
Asia/Tehran	IRST	IRDT	Iran Standard Time	Iran Daylight Time	IRT	Iran Time
Asia/Tel_Aviv	IST	IDT	Israel Standard Time	Israel Daylight Time	IT	Israel Time
Asia/Thimbu	BTT		Bhutan Time		BTT	Bhutan Time
Asia/Thimphu	BTT		Bhutan Time		BTT	Bhutan Time
Asia/Tokyo	JST		Japan Standard Time		JT	Japan Time
Asia/Tomsk	GMT+07:00		Tomsk Standard Time		GMT+07:00	Tomsk Time
Asia/Ujung_Pandang	WITA		Central Indonesia Time		WITA	Central Indonesia Time
Asia/Ulaanbaatar	ULAT		Ulaanbaatar Standard Time		ULAT	Ulaanbaatar Time
Asia/Ulan_Bator	ULAT		Ulaanbaatar Standard Time		ULAT	Ulaanbaatar Time
Asia/Urumqi	XJT		Xinjiang Standard Time		XJT	Xinjiang Time
Asia/Ust-Nera	VLAT		Vladivostok Standard Time		VLAT	Vladivostok Time
Asia/Vientiane	ICT		Indochina Time		ICT	Indochina Time
Asia/Vladivostok	VLAT		Vladivostok Standard Time		VLAT	Vladivostok Time
Asia/Yakutsk	YAKT		Yakutsk Standard Time		YAKT	Yakutsk Time
Asia/Yangon	MMT		Myanmar Time		MMT	Myanmar Time
Asia/Yekaterinburg	YEKT		Yekaterinburg Standard Time		YEKT	Yekaterinburg Time
Asia/Yerevan	AMT		Armenia Standard Time		AMT	Armenia Time
Atlantic/Azores	AZOT	AZOST	Azores Standard Time	Azores Summer Time	AZOT	Azores Time
Atlantic/Bermuda	AST	ADT	Atlantic Standard Time	Atlantic Daylight Time	AT	Atlantic Time
Atlantic/Canary	WET	WEST	Western European Standard Time	Western European Summer Time	WET	Western European Time
Atlantic/Cape_Verde	CVT		Cape Verde Standard Time		CVT	Cape Verde Time
Atlantic/Faeroe	WET	WEST	Western European Standard Time	Western European Summer Time	WET	Western European Time
Atlantic/Faroe	WET	WEST	Western European Standard Time	Western European Summer Time	WET	Western European Time
Atlantic/Jan_Mayen	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Atlantic/Madeira	WET	WEST	Western European Standard Time	Western European Summer Time	WET	Western European Time
Atlantic/Reykjavik	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Atlantic/South_Georgia	GST		South Georgia Time		GT	South Georgia Time
Atlantic/St_Helena	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Atlantic/Stanley	FKT		Falkland Islands Standard Time		FKT	Falkland Islands Time
Australia/ACT	AEST	AEDT	Australian Eastern Standard Time	Australian Eastern Daylight Time	AET	Eastern Australia Time
Australia/Adelaide	ACST	ACDT	Australian Central Standard Time	Australian Central Daylight Time	ACT	Central Australia Time
Australia/Brisbane	AEST		Australian Eastern Standard Time		AET	Eastern Australia Time
Australia/Broken_Hill	ACST	ACDT	Australian Central Standard Time	Australian Central Daylight Time	ACT	Central Australia Time
Australia/Canberra	AEST	AEDT	Australian Eastern Standard Time	Australian Eastern Daylight Time	AET	Eastern Australia Time
Australia/Currie	AEST	AEDT	Australian Eastern Standard Time	Australian Eastern Daylight Time	AET	Eastern Australia Time
Australia/Darwin	ACST		Australian Central Standard Time		ACT	Central Australia Time
Australia/Eucla	ACWST		Australian Central Western Standard Time		ACWT	Australian Central Western Time
Australia/Hobart	AEST	AEDT	Australian Eastern Standard Time	Australian Eastern Daylight Time	AET	Eastern Australia Time
Australia/LHI	LHST	LHDT	Lord Howe Standard Time	Lord Howe Daylight Time	LHT	Lord Howe Time
Australia/Lindeman	AEST		Australian Eastern Standard Time		AET	Eastern Australia Time
Australia/Lord_Howe	LHST	LHDT	Lord Howe Standard Time	Lord Howe Daylight Time	LHT	Lord Howe Time
Australia/Melbourne	AEST	AEDT	Australian Eastern Standard Time	Australian Eastern Daylight Time	AET	Eastern Australia Time
Australia/NSW	AEST	AEDT	Australian Eastern Standard Time	Australian Eastern Daylight Time	AET	Eastern Australia Time
Australia/North	ACST		Australian Central Standard Time		ACT	Central Australia Time
Australia/Perth	AWST		Australian Western Standard Time		AWT	Western Australia Time
Australia/Queensland	AEST		Australian Eastern Standard Time		AET	Eastern Australia Time
Australia/South	ACST	ACDT	Australian Central Standard Time	Australian Central Daylight Time	ACT	Central Australia Time
Australia/Sydney	AEST	AEDT	Australian Eastern Standard Time	Australian Eastern Daylight Time	AET	Eastern Australia Time
Australia/Tasmania	AEST	AEDT	Australian Eastern Standard Time	Australian Eastern Daylight Time	AET	Eastern Australia Time
Australia/Victoria	AEST	AEDT	Australian Eastern Standard Time	Australian Eastern Daylight Time	AET	Eastern Australia Time
Australia/West	AWST		Australian Western Standard Time		AWT	Western Australia Time
Australia/Yancowinna	ACST	ACDT	Australian Central Standard Time	Australian Central Daylight Time	ACT	Central Australia Time
Brazil/Acre	ACT		Acre Standard Time		ACT	Acre Time
Brazil/DeNoronha	FNT		Fernando de Noronha Standard Time		FNT	Fernando de Noronha Time
Brazil/East	BRT	BRST	Brasilia Standard Time	Brasilia Summer Time	BRT	Brasilia Time
Brazil/West	AMT		Amazon Standard Time		AMT	Amazon Time
CET	CET	CEST	Central European Time	Central European Summer Time	CET	Central European Time
CST6CDT	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
Canada/Atlantic	AST	ADT	Atlantic Standard Time	Atlantic Daylight Time	AT	Atlantic Time
Canada/Central	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
Canada/Eastern	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
Canada/Mountain	MST	MDT	Mountain Standard Time	Mountain Daylight Time	MT	Mountain Time
Canada/Newfoundland	NST	NDT	Newfoundland Standard Time	Newfoundland Daylight Time	NT	Newfoundland Time
Canada/Pacific	PST	PDT	Pacific Standard Time	Pacific Daylight Time	PT	Pacific Time
Canada/Saskatchewan	CST		Central Standard Time		CT	Central Time
Canada/Yukon	MST	MDT	Mountain Standard Time	Mountain Daylight Time	MT	Mountain Time
Chile/Continental	CLT	CLST	Chile Standard Time	Chile Summer Time	CLT	Chile Time
Chile/EasterIsland	EAST	EASST	Easter Island Standard Time	Easter Island Summer Time	EAST	Easter Island Time
Cuba	CST	CDT	Cuba Standard Time	Cuba Daylight Time	CT	Cuba Time
EET	EET	EEST	Eastern European Time	Eastern European Summer Time	EET	Eastern European Time
EST5EDT	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
Egypt	EET		Eastern European Standard Time		EET	Eastern European Time
Eire	GMT	IST	Greenwich Mean Time	Irish Standard Time	IT	Irish Time
Etc/GMT	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Etc/GMT+0	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Etc/GMT+1	GMT-01:00		GMT-01:00		GMT-01:00	GMT-01:00
Etc/GMT+10	GMT-10:00		GMT-10:00		GMT-10:00	GMT-10:00
Etc/GMT+11	GMT-11:00		GMT-11:00		GMT-11:00	GMT-11:00
Etc/GMT+12	GMT-12:00		GMT-12:00		GMT-12:00	GMT-12:00
Etc/GMT+2	GMT-02:00		GMT-02:00		GMT-02:00	GMT-02:00
Etc/GMT+3	GMT-03:00		GMT-03:00		GMT-03:00	GMT-03:00
Etc/GMT+4	GMT-04:00		GMT-04:00		GMT-04:00	GMT-04:00
Etc/GMT+5	GMT-05:00		GMT-05:00		GMT-05:00	GMT-05:00
Etc/GMT+6	GMT-06:00		GMT-06:00		GMT-06:00	GMT-06:00
Etc/GMT+7	GMT-07:00		GMT-07:00		GMT-07:00	GMT-07:00
Etc/GMT+8	GMT-08:00		GMT-08:00		GMT-08:00	GMT-08:00
Etc/GMT+9	GMT-09:00		GMT-09:00		GMT-09:00	GMT-09:00
Etc/GMT-0	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Etc/GMT-1	GMT+01:00		GMT+01:00		GMT+01:00	GMT+01:00
Etc/GMT-10	GMT+10:00		GMT+10:00		GMT+10:00	GMT+10:00
Etc/GMT-11	GMT+11:00		GMT+11:00		GMT+11:00	GMT+11:00
Etc/GMT-12	GMT+12:00		GMT+12:00		GMT+12:00	GMT+12:00
Etc/GMT-13	GMT+13:00		GMT+13:00		GMT+13:00	GMT+13:00
Etc/GMT-14	GMT+14:00		GMT+14:00		GMT+14:00	GMT+14:00
Etc/GMT-2	GMT+02:00		GMT+02:00		GMT+02:00	GMT+02:00
Etc/GMT-3	GMT+03:00		GMT+03:00		GMT+03:00	GMT+03:00
Etc/GMT-4	GMT+04:00		GMT+04:00		GMT+04:00	GMT+04:00
Etc/GMT-5	GMT+05:00		GMT+05:00		GMT+05:00	GMT+05:00
Etc/GMT-6	GMT+06:00		GMT+06:00		GMT+06:00	GMT+06:00
Etc/GMT-7	GMT+07:00		GMT+07:00		GMT+07:00	GMT+07:00
Etc/GMT-8	GMT+08:00		GMT+08:00		GMT+08:00	GMT+08:00
Etc/GMT-9	GMT+09:00		GMT+09:00		GMT+09:00	GMT+09:00
Etc/GMT0	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Etc/Greenwich	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Etc/UCT	UTC		Coordinated Universal Time		UTC	Coordinated Universal Time
Etc/UTC	UTC		Coordinated Universal Time		UTC	Coordinated Universal Time
Etc/Universal	UTC		Coordinated Universal Time		UTC	Coordinated Universal Time
Etc/Zulu	UTC		Coordinated Universal Time		UTC	Coordinated Universal Time
Europe/Amsterdam	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Andorra	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Astrakhan	GMT+04:00		Astrakhan Standard Time		GMT+04:00	Astrakhan Time
Europe/Athens	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Europe/Belfast	GMT	BST	Greenwich Mean Time	British Summer Time	BT	British Time
Europe/Belgrade	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Berlin	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Bratislava	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Brussels	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Bucharest	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Europe/Budapest	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Busingen	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Chisinau	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Europe/Copenhagen	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Dublin	GMT	IST	Greenwich Mean Time	Irish Standard Time	IT	Irish Time
Europe/Gibraltar	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Guernsey	GMT	BST	Greenwich Mean Time	British Summer Time	BT	British Time
Europe/Helsinki	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Europe/Isle_of_Man	GMT	BST	Greenwich Mean Time	British Summer Time	BT	British Time
Europe/Istanbul	TRT		Turkey Time		TRT	Turkey Time
Europe/Jersey	GMT	BST	Greenwich Mean Time	British Summer Time	BT	British Time
Europe/Kaliningrad	EET		Eastern European Standard Time		EET	Eastern European Time
Europe/Kiev	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Europe/Kirov	MSK		Moscow Standard Time		MT	Moscow Time
Europe/Kyiv	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Europe/Lisbon	WET	WEST	Western European Standard Time	Western European Summer Time	WET	Western European Time
Europe/Ljubljana	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/London	GMT	BST	Greenwich Mean Time	British Summer Time	BT	British Time
Europe/Luxembourg	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Madrid	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Malta	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Mariehamn	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Europe/Minsk	MSK		Moscow Standard Time		MT	Moscow Time
Europe/Monaco	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Moscow	MSK		Moscow Standard Time		MT	Moscow Time
Europe/Nicosia	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Europe/Oslo	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Paris	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Podgorica	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Prague	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Riga	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Europe/Rome	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Samara	SAMT		Samara Standard Time		SAMT	Samara Time
Europe/San_Marino	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Sarajevo	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Saratov	GMT+04:00		Saratov Standard Time		GMT+04:00	Saratov Time
Europe/Simferopol	MSK		Moscow Standard Time		MT	Moscow Time
Europe/Skopje	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Sofia	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Europe/Stockholm	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Tallinn	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Europe/Tirane	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Tiraspol	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Europe/Ulyanovsk	GMT+04:00		Ulyanovsk Standard Time		GMT+04:00	Ulyanovsk Time
Europe/Uzhgorod	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Europe/Vaduz	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Vatican	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Vienna	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Vilnius	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Europe/Volgograd	MSK		Volgograd Standard Time		MT	Volgograd Time
Europe/Warsaw	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Zagreb	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Europe/Zaporozhye	EET	EEST	Eastern European Standard Time	Eastern European Summer Time	EET	Eastern European Time
Europe/Zurich	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
GB	GMT	BST	Greenwich Mean Time	British Summer Time	BT	British Time
GB-Eire	GMT	BST	Greenwich Mean Time	British Summer Time	BT	British Time
GMT	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
GMT0	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Greenwich	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Hongkong	HKT		Hong Kong Standard Time		HKT	Hong Kong Time
Iceland	GMT		Greenwich Mean Time		GMT	Greenwich Mean Time
Indian/Antananarivo	EAT		East Africa Time		EAT	Eastern Africa Time
Indian/Chagos	IOT		Indian Ocean Time		IOT	Indian Ocean Territory Time
Indian/Christmas	CXT		Christmas Island Time		CIT	Christmas Island Time
Indian/Cocos	CCT		Cocos Islands Time		CCT	Cocos Islands Time
Indian/Comoro	EAT		East Africa Time		EAT	Eastern Africa Time
Indian/Kerguelen	TFT		French Southern & Antarctic Time		TFT	French Southern & Antarctic Lands Time
Indian/Mahe	SCT		Seychelles Time		SCT	Seychelles Time
Indian/Maldives	MVT		Maldives Time		MVT	Maldives Time
Indian/Mauritius	MUT		Mauritius Standard Time		MUT	Mauritius Time
Indian/Mayotte	EAT		East Africa Time		EAT	Eastern Africa Time
Indian/Reunion	RET		Réunion Time		RET	Reunion Time
Iran	IRST	IRDT	Iran Standard Time	Iran Daylight Time	IRT	Iran Time
Israel	IST	IDT	Israel Standard Time	Israel Daylight Time	IT	Israel Time
Jamaica	EST		Eastern Standard Time		ET	Eastern Time
Japan	JST		Japan Standard Time		JT	Japan Time
Kwajalein	MHT		Marshall Islands Time		MHT	Marshall Islands Time
Libya	EET		Eastern European Standard Time		EET	Eastern European Time
MET	MET	MEST	Middle Europe Time	Middle Europe Summer Time	MET	Middle Europe Time
MST7MDT	MST	MDT	Mountain Standard Time	Mountain Daylight Time	MT	Mountain Time
Mexico/BajaNorte	PST	PDT	Pacific Standard Time	Pacific Daylight Time	PT	Pacific Time
Mexico/BajaSur	MST	MDT	Mexican Pacific Standard Time	Mexican Pacific Daylight Time	MT	Mexican Pacific Time
Mexico/General	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
NZ	NZST	NZDT	New Zealand Standard Time	New Zealand Daylight Time	NZT	New Zealand Time
NZ-CHAT	CHAST	CHADT	Chatham Standard Time	Chatham Daylight Time	CHAT	Chatham Time
Navajo	MST	MDT	Mountain Standard Time	Mountain Daylight Time	MT	Mountain Time
PRC	CST		China Standard Time		CT	China Time
PST8PDT	PST	PDT	Pacific Standard Time	Pacific Daylight Time	PT	Pacific Time
Pacific/Apia	WSST	WSDT	Apia Standard Time	Apia Daylight Time	WST	Apia Time
Pacific/Auckland	NZST	NZDT	New Zealand Standard Time	New Zealand Daylight Time	NZT	New Zealand Time
Pacific/Bougainville	BST		Bougainville Standard Time		BT	Bougainville Time
Pacific/Chatham	CHAST	CHADT	Chatham Standard Time	Chatham Daylight Time	CHAT	Chatham Time
Pacific/Chuuk	CHUT		Chuuk Time		CHUT	Chuuk Time
Pacific/Easter	EAST	EASST	Easter Island Standard Time	Easter Island Summer Time	EAST	Easter Island Time
Pacific/Efate	VUT		Vanuatu Standard Time		VUT	Vanuatu Time
Pacific/Enderbury	PHOT		Phoenix Islands Time		PHOT	Phoenix Is. Time
Pacific/Fakaofo	TKT		Tokelau Time		TKT	Tokelau Time
Pacific/Fiji	FJT		Fiji Standard Time		FJT	Fiji Time
Pacific/Funafuti	TVT		Tuvalu Time		TVT	Tuvalu Time
Pacific/Galapagos	GALT		Galapagos Time		GALT	Galapagos Time
Pacific/Gambier	GAMT		Gambier Time		GAMT	Gambier Time
Pacific/Guadalcanal	SBT		Solomon Islands Time		SBT	Solomon Is. Time
Pacific/Guam	ChST		Chamorro Standard Time		ChT	Chamorro Time
Pacific/Honolulu	HST		Hawaii-Aleutian Standard Time		HST	Hawaii-Aleutian Time
Pacific/Johnston	HAST		Hawaii-Aleutian Standard Time		HAT	Hawaii-Aleutian Time
Pacific/Kanton	GMT+13:00		Kanton Standard Time		GMT+13:00	Kanton Time
Pacific/Kiritimati	LINT		Line Islands Time		LINT	Line Is. Time
Pacific/Kosrae	KOST		Kosrae Time		KOST	Kosrae Time
Pacific/Kwajalein	MHT		Marshall Islands Time		MHT	Marshall Islands Time
Pacific/Majuro	MHT		Marshall Islands Time		MHT	Marshall Islands Time
Pacific/Marquesas	MART		Marquesas Time		MART	Marquesas Time
Pacific/Midway	SST		Samoa Standard Time		ST	Samoa Time
Pacific/Nauru	NRT		Nauru Time		NRT	Nauru Time
Pacific/Niue	NUT		Niue Time		NUT	Niue Time
Pacific/Norfolk	NFT		Norfolk Island Standard Time		NFT	Norfolk Island Time
Pacific/Noumea	NCT		New Caledonia Standard Time		NCT	New Caledonia Time
Pacific/Pago_Pago	SST		Samoa Standard Time		ST	Samoa Time
Pacific/Palau	PWT		Palau Time		PWT	Palau Time
Pacific/Pitcairn	PST		Pitcairn Time		PT	Pitcairn Time
Pacific/Pohnpei	PONT		Ponape Time		PONT	Ponape Time
Pacific/Ponape	PONT		Ponape Time		PONT	Ponape Time
Pacific/Port_Moresby	PGT		Papua New Guinea Time		PGT	Papua New Guinea Time
Pacific/Rarotonga	CKT		Cook Islands Standard Time		CKT	Cook Islands Time
Pacific/Saipan	ChST		Chamorro Standard Time		ChT	Chamorro Time
Pacific/Samoa	SST		Samoa Standard Time		ST	Samoa Time
Pacific/Tahiti	TAHT		Tahiti Time		TAHT	Tahiti Time
Pacific/Tarawa	GILT		Gilbert Islands Time		GILT	Gilbert Is. Time
Pacific/Tongatapu	TOT		Tonga Standard Time		TOT	Tonga Time
Pacific/Truk	CHUT		Chuuk Time		CHUT	Chuuk Time
Pacific/Wake	WAKT		Wake Island Time		WAKT	Wake Time
Pacific/Wallis	WFT		Wallis & Futuna Time		WFT	Wallis & Futuna Time
Pacific/Yap	CHUT		Chuuk Time		CHUT	Chuuk Time
Poland	CET	CEST	Central European Standard Time	Central European Summer Time	CET	Central European Time
Portugal	WET	WEST	Western European Standard Time	Western European Summer Time	WET	Western European Time
ROK	KST		Korean Standard Time		KT	Korean Time
Singapore	SGT		Singapore Standard Time		SGT	Singapore Time
SystemV/AST4	AST		Atlantic Standard Time		AT	Atlantic Time
SystemV/AST4ADT	AST	ADT	Atlantic Standard Time	Atlantic Daylight Time	AT	Atlantic Time
SystemV/CST6	CST		Central Standard Time		CT	Central Time
SystemV/CST6CDT	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
SystemV/EST5	EST		Eastern Standard Time		ET	Eastern Time
SystemV/EST5EDT	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
SystemV/HST10	HST		Hawaii-Aleutian Standard Time		HST	Hawaii-Aleutian Time
SystemV/MST7	MST		Mountain Standard Time		MT	Mountain Time
SystemV/MST7MDT	MST	MDT	Mountain Standard Time	Mountain Daylight Time	MT	Mountain Time
SystemV/PST8	PST		Pitcairn Time		PST	Pitcairn Time
SystemV/PST8PDT	PST	PDT	Pacific Standard Time	Pacific Daylight Time	PT	Pacific Time
SystemV/YST9	AKST		Gambier Time		AKST	Gambier Time
SystemV/YST9YDT	AKST	AKDT	Alaska Standard Time	Alaska Daylight Time	AKT	Alaska Time
Turkey	TRT		Turkey Time		TRT	Turkey Time
UCT	UTC		Coordinated Universal Time		UTC	Coordinated Universal Time
US/Alaska	AKST	AKDT	Alaska Standard Time	Alaska Daylight Time	AKT	Alaska Time
US/Aleutian	HAST	HADT	Hawaii-Aleutian Standard Time	Hawaii-Aleutian Daylight Time	HAT	Hawaii-Aleutian Time
US/Arizona	MST		Mountain Standard Time		MT	Mountain Time
US/Central	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
US/East-Indiana	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
US/Eastern	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
US/Hawaii	HST		Hawaii-Aleutian Standard Time		HST	Hawaii-Aleutian Time
US/Indiana-Starke	CST	CDT	Central Standard Time	Central Daylight Time	CT	Central Time
US/Michigan	EST	EDT	Eastern Standard Time	Eastern Daylight Time	ET	Eastern Time
US/Mountain	MST	MDT	Mountain Standard Time	Mountain Daylight Time	MT	Mountain Time
US/Pacific	PST	PDT	Pacific Standard Time	Pacific Daylight Time	PT	Pacific Time
US/Samoa	SST		Samoa Standard Time		ST	Samoa Time
UTC	UTC		Coordinated Universal Time		UTC	Coordinated Universal Time
Universal	UTC		Coordinated Universal Time		UTC	Coordinated Universal Time
W-SU	MSK		Moscow Standard Time		MT	Moscow Time
WET	WET	WEST	Western European Time	Western European Summer Time	WET	Western European Time
Zulu	UTC		Coordinated Universal Time		UTC	Coordinated Universal Time
=s	ACDT	Australia/Adelaide
=s	ACST	America/Rio_Branco
=s	ACT	America/Rio_Branco
=s	ACWST	Australia/Eucla
=s	ADT	America/Halifax
=s	AEDT	Australia/Sydney
=s	AEST	Australia/Sydney
=s	AFT	Asia/Kabul
=s	AKDT	America/Juneau
=s	AKST	America/Juneau
=s	ALMT	Asia/Almaty
=s	AMST	America/Manaus
=s	AMT	America/Manaus
=s	ANAT	Asia/Anadyr
=s	AQTT	Asia/Aqtobe
=s	ART	America/Argentina/Buenos_Aires
=s	AST	America/Halifax
=s	AWST	Australia/Perth
=s	AZOST	Atlantic/Azores
=s	AZOT	Atlantic/Azores
=s	AZT	Asia/Baku
=s	BDT	Asia/Dhaka
=s	BNT	Asia/Kuching
=s	BOT	America/La_Paz
=s	BRST	America/Sao_Paulo
=s	BRT	America/Sao_Paulo
=s	BST	Pacific/Bougainville
=s	BTT	Asia/Thimphu
=s	CAT	Africa/Maputo
=s	CCT	Asia/Yangon
=s	CDT	America/Chicago
=s	CEST	Europe/Paris
=s	CET	Europe/Paris
=s	CHADT	Pacific/Chatham
=s	CHAST	Pacific/Chatham
=s	CHOT	Asia/Ulaanbaatar
=s	CHUT	Pacific/Port_Moresby
=s	CKT	Pacific/Rarotonga
=s	CLST	Antarctica/Palmer
=s	CLT	Antarctica/Palmer
=s	COT	America/Bogota
=s	CST	America/Chicago
=s	CVT	Atlantic/Cape_Verde
=s	CXT	Asia/Bangkok
=s	ChST	Pacific/Guam
=s	DAVT	Antarctica/Davis
=s	DDUT	Pacific/Port_Moresby
=s	EASST	Pacific/Easter
=s	EAST	Pacific/Easter
=s	EAT	Africa/Nairobi
=s	ECT	America/Guayaquil
=s	EDT	America/New_York
=s	EEST	Europe/Bucharest
=s	EET	Europe/Bucharest
=s	EGST	America/Scoresbysund
=s	EGT	America/Scoresbysund
=s	EST	America/New_York
=s	FJT	Pacific/Fiji
=s	FKT	Atlantic/Stanley
=s	FNT	America/Noronha
=s	GALT	Pacific/Galapagos
=s	GAMT	Pacific/Gambier
=s	GET	Asia/Tbilisi
=s	GFT	America/Cayenne
=s	GILT	Pacific/Tarawa
=s	GST	Atlantic/South_Georgia
=s	GYT	America/Guyana
=s	HADT	Pacific/Honolulu
=s	HAST	Pacific/Honolulu
=s	HKT	Asia/Hong_Kong
=s	HOVT	Asia/Hovd
=s	HST	Pacific/Honolulu
=s	ICT	Asia/Bangkok
=s	IDT	Asia/Kolkata
=s	IOT	Indian/Chagos
=s	IRDT	Asia/Tehran
=s	IRKT	Asia/Irkutsk
=s	IRST	Asia/Tehran
=s	IST	Africa/Abidjan
=s	JST	Asia/Tokyo
=s	KGT	Asia/Bishkek
=s	KOST	Pacific/Kosrae
=s	KRAT	Asia/Krasnoyarsk
=s	KST	Asia/Seoul
=s	LHDT	Australia/Lord_Howe
=s	LHST	Australia/Lord_Howe
=s	LINT	Pacific/Kiritimati
=s	MAGT	Asia/Magadan
=s	MART	Pacific/Marquesas
=s	MAWT	Antarctica/Mawson
=s	MDT	America/Denver
=s	MEST	Europe/Paris
=s	MET	Europe/Paris
=s	MHT	Pacific/Tarawa
=s	MMT	Asia/Yangon
=s	MSK	Europe/Moscow
=s	MST	America/Denver
=s	MUT	Indian/Mauritius
=s	MVT	Indian/Maldives
=s	MYT	Asia/Kuching
=s	NCT	Pacific/Noumea
=s	NDT	America/St_Johns
=s	NFT	Pacific/Norfolk
=s	NOVT	Asia/Novosibirsk
=s	NPT	Asia/Kathmandu
=s	NRT	Pacific/Nauru
=s	NST	America/St_Johns
=s	NUT	Pacific/Niue
=s	NZDT	Pacific/Auckland
=s	NZST	Pacific/Auckland
=s	OMST	Asia/Omsk
=s	ORAT	Asia/Aqtobe
=s	PDT	America/Los_Angeles
=s	PET	America/Lima
=s	PETT	Asia/Kamchatka
=s	PGT	Pacific/Port_Moresby
=s	PHOT	Pacific/Kanton
=s	PKT	Asia/Karachi
=s	PMDT	America/Miquelon
=s	PMST	America/Miquelon
=s	PONT	Pacific/Guadalcanal
=s	PST	America/Los_Angeles
=s	PWT	Pacific/Palau
=s	PYST	America/Asuncion
=s	PYT	America/Asuncion
=s	QOST	Asia/Almaty
=s	QYZT	Asia/Aqtobe
=s	RET	Asia/Dubai
=s	ROTT	Antarctica/Rothera
=s	SAKT	Asia/Sakhalin
=s	SAMT	Europe/Samara
=s	SAST	Africa/Johannesburg
=s	SBT	Pacific/Guadalcanal
=s	SCT	Asia/Dubai
=s	SGT	Asia/Singapore
=s	SRET	Asia/Srednekolymsk
=s	SRT	America/Paramaribo
=s	SST	Pacific/Pago_Pago
=s	SYOT	Asia/Riyadh
=s	TAHT	Pacific/Tahiti
=s	TFT	Indian/Maldives
=s	TJT	Asia/Dushanbe
=s	TKT	Pacific/Fakaofo
=s	TLT	Asia/Dili
=s	TMT	Asia/Ashgabat
=s	TOT	Pacific/Tongatapu
=s	TRT	Europe/Istanbul
=s	TVT	Pacific/Tarawa
=s	ULAT	Asia/Ulaanbaatar
=s	UYT	America/Montevideo
=s	UZT	Asia/Tashkent
=s	VET	America/Caracas
=s	VLAT	Asia/Vladivostok
=s	VOST	Antarctica/Vostok
=s	VUT	Pacific/Efate
=s	WAKT	Pacific/Tarawa
=s	WAT	Africa/Lagos
=s	WEST	Atlantic/Canary
=s	WET	Atlantic/Canary
=s	WFT	Pacific/Tarawa
=s	WGST	America/Nuuk
=s	WGT	America/Nuuk
=s	WIB	Asia/Jakarta
=s	WIT	Asia/Jayapura
=s	WITA	Asia/Makassar
=s	WSDT	Pacific/Apia
=s	WSST	Pacific/Apia
=s	XJT	Asia/Urumqi
=s	YAKT	Asia/Yakutsk
=s	YEKT	Asia/Yekaterinburg
=f	Acre Standard Time	America/Rio_Branco
=f	Afghanistan Time	Asia/Kabul
=f	Alaska Daylight Time	America/Juneau
=f	Alaska Standard Time	America/Juneau
=f	Amazon Standard Time	America/Manaus
=f	Amazon Summer Time	America/Manaus
=f	Anadyr Standard Time	Asia/Anadyr
=f	Apia Daylight Time	Pacific/Apia
=f	Apia Standard Time	Pacific/Apia
=f	Arabian Standard Time	Asia/Riyadh
=f	Argentina Standard Time	America/Argentina/Buenos_Aires
=f	Armenia Standard Time	Asia/Yerevan
=f	Astrakhan Standard Time	Europe/Astrakhan
=f	Atlantic Daylight Time	America/Halifax
=f	Atlantic Standard Time	America/Halifax
=f	Australian Central Daylight Time	Australia/Adelaide
=f	Australian Central Standard Time	Australia/Adelaide
=f	Australian Central Western Standard Time	Australia/Eucla
=f	Australian Eastern Daylight Time	Australia/Sydney
=f	Australian Eastern Standard Time	Australia/Sydney
=f	Australian Western Standard Time	Australia/Perth
=f	Azerbaijan Standard Time	Asia/Baku
=f	Azores Standard Time	Atlantic/Azores
=f	Azores Summer Time	Atlantic/Azores
=f	Bangladesh Standard Time	Asia/Dhaka
=f	Barnaul Standard Time	Asia/Barnaul
=f	Bhutan Time	Asia/Thimphu
=f	Bolivia Time	America/La_Paz
=f	Bougainville Standard Time	Pacific/Bougainville
=f	Brasilia Standard Time	America/Sao_Paulo
=f	Brasilia Summer Time	America/Sao_Paulo
=f	British Summer Time	Africa/Abidjan
=f	Brunei Darussalam Time	Asia/Kuching
=f	Cape Verde Standard Time	Atlantic/Cape_Verde
=f	Casey Time	Antarctica/Casey
=f	Central Africa Time	Africa/Maputo
=f	Central Daylight Time	America/Chicago
=f	Central European Standard Time	Europe/Paris
=f	Central European Summer Time	Europe/Paris
=f	Central European Time	Europe/Paris
=f	Central Indonesia Time	Asia/Makassar
=f	Central Standard Time	America/Chicago
=f	Chamorro Standard Time	Pacific/Guam
=f	Chatham Daylight Time	Pacific/Chatham
=f	Chatham Standard Time	Pacific/Chatham
=f	Chile Standard Time	America/Santiago
=f	Chile Summer Time	Antarctica/Palmer
=f	Chile Time	Antarctica/Palmer
=f	China Standard Time	Asia/Shanghai
=f	Christmas Island Time	Asia/Bangkok
=f	Chuuk Time	Pacific/Port_Moresby
=f	Cocos Islands Time	Asia/Yangon
=f	Colombia Standard Time	America/Bogota
=f	Cook Islands Standard Time	Pacific/Rarotonga
=f	Coordinated Universal Time	Etc/UTC
=f	Cuba Daylight Time	America/Havana
=f	Cuba Standard Time	America/Havana
=f	Davis Time	Antarctica/Davis
=f	Dumont-d’Urville Time	Pacific/Port_Moresby
=f	East Africa Time	Africa/Nairobi
=f	East Greenland Standard Time	America/Scoresbysund
=f	East Greenland Summer Time	America/Scoresbysund
=f	East Kazakhstan Time	Asia/Almaty
=f	East Timor Time	Asia/Dili
=f	Easter Island Standard Time	Pacific/Easter
=f	Easter Island Summer Time	Pacific/Easter
=f	Eastern Daylight Time	America/New_York
=f	Eastern European Standard Time	Europe/Bucharest
=f	Eastern European Summer Time	Europe/Bucharest
=f	Eastern European Time	Europe/Bucharest
=f	Eastern Indonesia Time	Asia/Jayapura
=f	Eastern Standard Time	America/New_York
=f	Ecuador Time	America/Guayaquil
=f	Falkland Islands Standard Time	Atlantic/Stanley
=f	Fernando de Noronha Standard Time	America/Noronha
=f	Fiji Standard Time	Pacific/Fiji
=f	French Guiana Time	America/Cayenne
=f	French Southern & Antarctic Time	Indian/Maldives
=f	Galapagos Time	Pacific/Galapagos
=f	Gambier Time	Pacific/Gambier
=f	Georgia Standard Time	Asia/Tbilisi
=f	Gilbert Islands Time	Pacific/Tarawa
=f	Greenwich Mean Time	Africa/Abidjan
=f	Gulf Standard Time	Asia/Dubai
=f	Guyana Time	America/Guyana
=f	Hawaii-Aleutian Daylight Time	Pacific/Honolulu
=f	Hawaii-Aleutian Standard Time	Pacific/Honolulu
=f	Hong Kong Standard Time	Asia/Hong_Kong
=f	Hovd Standard Time	Asia/Hovd
=f	India Standard Time	Asia/Kolkata
=f	Indian Ocean Time	Indian/Chagos
=f	Indochina Time	Asia/Bangkok
=f	Iran Daylight Time	Asia/Tehran
=f	Iran Standard Time	Asia/Tehran
=f	Irish Standard Time	Africa/Abidjan
=f	Irkutsk Standard Time	Asia/Irkutsk
=f	Israel Daylight Time	Asia/Jerusalem
=f	Israel Standard Time	Asia/Jerusalem
=f	Japan Standard Time	Asia/Tokyo
=f	Kanton Standard Time	Pacific/Kanton
=f	Korean Standard Time	Asia/Seoul
=f	Kosrae Time	Pacific/Kosrae
=f	Krasnoyarsk Standard Time	Asia/Krasnoyarsk
=f	Kyrgyzstan Time	Asia/Bishkek
=f	Line Islands Time	Pacific/Kiritimati
=f	Lord Howe Daylight Time	Australia/Lord_Howe
=f	Lord Howe Standard Time	Australia/Lord_Howe
=f	Magadan Standard Time	Asia/Magadan
=f	Malaysia Time	Asia/Kuching
=f	Maldives Time	Indian/Maldives
=f	Marquesas Time	Pacific/Marquesas
=f	Marshall Islands Time	Pacific/Tarawa
=f	Mauritius Standard Time	Indian/Mauritius
=f	Mawson Time	Antarctica/Mawson
=f	Mexican Pacific Daylight Time	America/Mazatlan
=f	Mexican Pacific Standard Time	America/Mazatlan
=f	Middle Europe Summer Time	Europe/Paris
=f	Middle Europe Time	Europe/Paris
=f	Moscow Standard Time	Europe/Moscow
=f	Mountain Daylight Time	America/Denver
=f	Mountain Standard Time	America/Denver
=f	Myanmar Time	Asia/Yangon
=f	Nauru Time	Pacific/Nauru
=f	Nepal Time	Asia/Kathmandu
=f	New Caledonia Standard Time	Pacific/Noumea
=f	New Zealand Daylight Time	Pacific/Auckland
=f	New Zealand Standard Time	Pacific/Auckland
=f	Newfoundland Daylight Time	America/St_Johns
=f	Newfoundland Standard Time	America/St_Johns
=f	Niue Time	Pacific/Niue
=f	Norfolk Island Standard Time	Pacific/Norfolk
=f	Northwest Mexico Daylight Time	America/Tijuana
=f	Northwest Mexico Standard Time	America/Tijuana
=f	Novosibirsk Standard Time	Asia/Novosibirsk
=f	Omsk Standard Time	Asia/Omsk
=f	Pacific Daylight Time	America/Los_Angeles
=f	Pacific Standard Time	America/Los_Angeles
=f	Pakistan Standard Time	Asia/Karachi
=f	Palau Time	Pacific/Palau
=f	Papua New Guinea Time	Pacific/Port_Moresby
=f	Paraguay Standard Time	America/Asuncion
=f	Paraguay Summer Time	America/Asuncion
=f	Peru Standard Time	America/Lima
=f	Petropavlovsk-Kamchatski Standard Time	Asia/Kamchatka
=f	Philippine Standard Time	Asia/Manila
=f	Phoenix Islands Time	Pacific/Kanton
=f	Pitcairn Time	Pacific/Pitcairn
=f	Ponape Time	Pacific/Guadalcanal
=f	Punta Arenas Standard Time	America/Punta_Arenas
=f	Rothera Time	Antarctica/Rothera
=f	Réunion Time	Asia/Dubai
=f	Sakhalin Standard Time	Asia/Sakhalin
=f	Samara Standard Time	Europe/Samara
=f	Samoa Standard Time	Pacific/Pago_Pago
=f	Saratov Standard Time	Europe/Saratov
=f	Seychelles Time	Asia/Dubai
=f	Singapore Standard Time	Asia/Singapore
=f	Solomon Islands Time	Pacific/Guadalcanal
=f	South Africa Standard Time	Africa/Johannesburg
=f	South Georgia Time	Atlantic/South_Georgia
=f	Srednekolymsk Time	Asia/Srednekolymsk
=f	St. Pierre & Miquelon Daylight Time	America/Miquelon
=f	St. Pierre & Miquelon Standard Time	America/Miquelon
=f	Suriname Time	America/Paramaribo
=f	Syowa Time	Asia/Riyadh
=f	Tahiti Time	Pacific/Tahiti
=f	Taipei Standard Time	Asia/Taipei
=f	Tajikistan Time	Asia/Dushanbe
=f	Tokelau Time	Pacific/Fakaofo
=f	Tomsk Standard Time	Asia/Tomsk
=f	Tonga Standard Time	Pacific/Tongatapu
=f	Turkey Time	Europe/Istanbul
=f	Turkmenistan Standard Time	Asia/Ashgabat
=f	Tuvalu Time	Pacific/Tarawa
=f	Ulaanbaatar Standard Time	Asia/Ulaanbaatar
=f	Ulyanovsk Standard Time	Europe/Ulyanovsk
=f	Uruguay Standard Time	America/Montevideo
=f	Uzbekistan Standard Time	Asia/Tashkent
=f	Vanuatu Standard Time	Pacific/Efate
=f	Venezuela Time	America/Caracas
=f	Vladivostok Standard Time	Asia/Vladivostok
=f	Volgograd Standard Time	Europe/Volgograd
=f	Vostok Time	Antarctica/Vostok
=f	Wake Island Time	Pacific/Tarawa
=f	Wallis & Futuna Time	Pacific/Tarawa
=f	West Africa Standard Time	Africa/Lagos
=f	West Greenland Standard Time	America/Nuuk
=f	West Greenland Summer Time	America/Nuuk
=f	West Kazakhstan Time	Asia/Aqtobe
=f	Western African Time	Africa/Maputo
=f	Western European Standard Time	Atlantic/Canary
=f	Western European Summer Time	Atlantic/Canary
=f	Western European Time	Atlantic/Canary
=f	Western Indonesia Time	Asia/Jakarta
=f	Xinjiang Standard Time	Asia/Urumqi
=f	Yakutsk Standard Time	Asia/Yakutsk
=f	Yekaterinburg Standard Time	Asia/Yekaterinburg
`
