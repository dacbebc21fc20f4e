% rebase('layout', scripts=['calendar.js'])
<h1>{{title}}</h1>
<ol class="steps" aria-label="Steps">
  <li>1. Car and services</li><li aria-current="step"><strong>2. Day and time</strong></li><li>3. Confirm</li>
</ol>
<p class="summary">{{choice.car.make}} {{choice.car.model}}{{(' · ' + choice.car.plate) if choice.car.plate else ''}}:
  {{', '.join(s.name for s in choice.services)}} (about {{duration(choice.minutes)}})
% if choice.quote:
  · from <a href="/quotes/{{choice.quote.id}}">quote {{choice.quote.id}}</a>
% elif not choice.appointment:
  · <a href="/book?{{choice.params()}}">change</a>
% end
</p>
<section aria-labelledby="month-title" class="month">
  <div class="month-nav">
    <h2 id="month-title">{{first.strftime('%B %Y')}}</h2>
% if prev_month:
    <a class="button prev" href="{{choice.calendar}}?{{choice.params(month=prev_month.strftime('%Y-%m'))}}" rel="prev">‹ <span>{{prev_month.strftime('%B')}}</span></a>
% end
% if next_month:
    <a class="button next" href="{{choice.calendar}}?{{choice.params(month=next_month.strftime('%Y-%m'))}}" rel="next"><span>{{next_month.strftime('%B')}}</span> ›</a>
% end
  </div>
  <table class="calendar" id="calendar" data-times-url="{{choice.calendar}}?{{choice.params()}}">
% free_days = sum(1 for d in slots)
    <caption class="legend">Days with free times are links. {{free_days}} day{{'' if free_days == 1 else 's'}} with free times this month.</caption>
    <thead><tr>
% for short, long in weekdays:
      <th scope="col"><abbr title="{{long}}">{{short}}</abbr></th>
% end
    </tr></thead>
    <tbody>
% for week in weeks:
      <tr>
% for d in week:
%   if d is None:
        <td></td>
%   elif d in slots:
        <td><a class="day{{' chosen' if d == chosen else ''}}" href="{{choice.calendar}}?{{choice.params(date=d.isoformat())}}#times" data-date="{{d.isoformat()}}"{{!' aria-current="date"' if d == chosen else ''}} aria-label="{{date_words(d)}}, {{len(slots[d])}} free time{{'s' if len(slots[d]) != 1 else ''}}">{{d.day}}</a></td>
%   else:
        <td><span class="day" aria-label="{{date_words(d)}}, no free time">{{d.day}}</span></td>
%   end
% end
      </tr>
% end
    </tbody>
  </table>
% if not slots:
  <p>No free times in this month.{{!' <a href="%s?%s">Try %s</a>.' % (choice.calendar, choice.params(month=next_month.strftime('%Y-%m')), next_month.strftime('%B')) if next_month else ''}}</p>
% end
</section>
<section id="times" aria-live="polite" tabindex="-1">
% if chosen:
% include('_times')
% else:
  <p class="legend">Choose a day to see its free times.</p>
% end
</section>
