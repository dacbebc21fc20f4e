<h2 id="times-title">{{date_words(chosen)}}</h2>
% if not times:
<p>There is no free time on this day. Please choose another day.</p>
% else:
<form id="times-form" method="get" action="{{choice.base}}/review" class="form wide">
% for name, value in choice.hidden():
  <input type="hidden" name="{{name}}" value="{{value}}">
% end
  <fieldset>
    <legend>Free times (about {{duration(choice.minutes)}})</legend>
    <ul class="slots">
% starts = [slot.start.isoformat() for slot in times]
% picked = get('picked_start') if get('picked_start') in starts else starts[0]
% for index, slot in enumerate(times):
      <li><label class="choice" for="start-{{index}}"><input type="radio" id="start-{{index}}" name="start" value="{{starts[index]}}"{{!' checked' if starts[index] == picked else ''}}> {{time_words(slot.start)}}</label></li>
% end
    </ul>
  </fieldset>
  <button type="submit" class="button primary">Continue</button>
</form>
% end
